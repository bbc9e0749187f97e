import { describe, expect, it } from "bun:test";
import { createApiKey } from "../../src/security/api-keys.ts";
import { REDACTED, redactSecrets } from "../../src/usage/redact.ts";
import { USAGE_SETTINGS_KEY } from "../../src/usage/settings.ts";
import { outcome } from "../helpers/outcomes.ts";
import { usageContext } from "../helpers/usage-context.ts";

const DAY_MS = 86_400_000;

const SECRETS = {
  openai: "sk-proj-Abc123Def456Ghi789Jkl012",
  anthropic: "sk-ant-api03-ZyXwVuTsRqPoNmLk",
  google: "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
  ours: "sk-sy-Q2hlY2tpbmdUaGVSZWRhY3Rpb24",
  bearer: "eyJhbGciOiJIUzI1NiJ9.payload.signature",
  cookie: "switchyard_session=abc.def.ghi",
  password: "hunter2-but-longer",
};

const clientRequest = JSON.stringify({
  model: "openai/gpt-6.2-sol",
  api_key: SECRETS.openai,
  messages: [{ role: "user", content: `my key is ${SECRETS.anthropic}, and Google's is ${SECRETS.google}` }],
  metadata: { password: SECRETS.password, "x-api-key": SECRETS.ours },
});
const upstreamRequest = `POST /v1/chat/completions\nAuthorization: Bearer ${SECRETS.bearer}\nCookie: ${SECRETS.cookie}\n\n{}`;

function storedLogs(sqlite: import("bun:sqlite").Database) {
  return sqlite
    .query<
      { usage_id: number; client_request: string; upstream_request: string | null; truncated: number },
      []
    >("SELECT usage_id, client_request, upstream_request, truncated FROM call_logs ORDER BY usage_id")
    .all();
}

describe("call logs", () => {
  it("are stored with API keys, Authorization, cookies and passwords redacted", () => {
    using usage = usageContext();
    usage.context.usage.record(
      outcome({
        bodies: { clientRequest, upstreamRequest, clientResponse: '{"ok":true}', truncated: false },
      }),
    );
    usage.context.usage.flush();
    const raw = JSON.stringify(usage.context.store.sqlite.query("SELECT * FROM call_logs").all());
    for (const secret of Object.values(SECRETS)) expect(raw).not.toContain(secret);
    const [log] = storedLogs(usage.context.store.sqlite);
    expect(JSON.parse(log!.client_request)).toMatchObject({
      api_key: REDACTED,
      metadata: { password: REDACTED, "x-api-key": REDACTED },
    });
    expect(log!.upstream_request).toContain(`Authorization: ${REDACTED}`);
    expect(log!.client_request).toContain('"model":"openai/gpt-6.2-sol"');
  });

  it("cut each body to the configured size and say so", () => {
    using usage = usageContext();
    usage.context.settings.set(USAGE_SETTINGS_KEY, { callLogs: { maxBodyChars: 256 } });
    usage.context.usage.record(outcome({ bodies: { clientRequest: "x".repeat(1_000), truncated: false } }));
    usage.context.usage.flush();
    const [log] = storedLogs(usage.context.store.sqlite);
    expect(log!.client_request).toHaveLength(256);
    expect(log!.truncated).toBe(1);
  });

  it("are not kept for a no-log key or when switched off, while the usage row still is", () => {
    using usage = usageContext();
    const { context } = usage;
    const quiet = createApiKey(context.apiKeys, "private", false, { noLog: true }).row.id;
    expect(context.usage.callLogBodyCap(quiet)).toBe(0);
    context.usage.record(outcome({ apiKeyId: quiet, bodies: { clientRequest: "{}", truncated: false } }));
    context.settings.set(USAGE_SETTINGS_KEY, { callLogs: { enabled: false } });
    expect(context.usage.callLogBodyCap("key-1")).toBe(0);
    context.usage.record(outcome({ bodies: { clientRequest: "{}", truncated: false } }));
    context.usage.flush();
    expect(storedLogs(context.store.sqlite)).toEqual([]);
    expect(context.store.sqlite.query("SELECT id FROM usage_records").all()).toHaveLength(2);
  });
});

describe("redaction", () => {
  it("leaves text without secrets alone", () => {
    const text = '{"messages":[{"role":"user","content":"count the tokens in sk-short"}],"max_tokens":10}';
    expect(redactSecrets(text)).toBe(text);
  });

  it("redacts escaped quotes inside a secret field's value whole", () => {
    expect(redactSecrets('{"token":"a\\"b\\"c","next":1}')).toBe(`{"token":"${REDACTED}","next":1}`);
  });
});

describe("retention", () => {
  it("prunes usage rows past the usage retention and call logs past theirs", async () => {
    using usage = usageContext();
    const { context, clock } = usage;
    const now = clock.now;
    const bodies = { clientRequest: "{}", truncated: false };
    for (const age of [100, 30, 8, 1])
      context.usage.record(outcome({ startedAt: now - age * DAY_MS, bodies }));
    context.usage.flush();
    const result = await context.usage.prune();
    expect(result).toMatchObject({ usageRows: 1, attempts: 1, callLogs: 3 });
    expect(result.rollups).toBeGreaterThan(0);
    const { sqlite } = context.store;
    const ages = (table: string) =>
      sqlite
        .query<{ started_at: number }, []>(`SELECT started_at FROM ${table} ORDER BY started_at`)
        .all()
        .map((row) => Math.round((now - row.started_at) / DAY_MS));
    expect(ages("usage_records")).toEqual([30, 8, 1]);
    expect(ages("call_logs")).toEqual([1]);
    expect(context.usage.analytics.totals({ since: 0 }).requests).toBe(3);
  });

  it("keeps only the newest call logs beyond the row cap", async () => {
    using usage = usageContext();
    const { context } = usage;
    context.settings.set(USAGE_SETTINGS_KEY, { callLogs: { maxRows: 3 } });
    for (let i = 0; i < 5; i++)
      context.usage.record(outcome({ bodies: { clientRequest: `{"n":${i}}`, truncated: false } }));
    context.usage.flush();
    await context.usage.prune();
    expect(storedLogs(context.store.sqlite).map((log) => log.client_request)).toEqual([
      '{"n":2}',
      '{"n":3}',
      '{"n":4}',
    ]);
    expect(context.store.sqlite.query("SELECT id FROM usage_records").all()).toHaveLength(5);
  });
});
