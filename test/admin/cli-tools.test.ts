/**
 * `/api/cli-tools/*` against a temp home folder: each tool's files are set up for Switchyard with
 * everything else in them kept (keys, tables, comments, arrays, modes), taken back out again,
 * backed up before every change and restorable; bad input is refused in the management shape.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import JSON5 from "json5";
import { parse as parseJsonc } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { startServer, type TestServer, tempDir } from "../helpers/server.ts";

let server: TestServer;
let home: string;
let cookie: string;

beforeAll(async () => {
  home = tempDir("switchyard-tools-home-");
  server = await startServer({ toolsHome: home });
  cookie = await server.login();
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
  rmSync(home, { recursive: true, force: true });
});

interface Named {
  name: string;
  label: string;
  tool: string;
  field: string;
  reason: string;
  id: string;
  model: string;
}

/** A management call; its answer's body as parsed JSON, read field by field in the tests. */
const api = async (method: string, path: string, json?: unknown) => {
  const response = await server.call(path, { method, cookie, ...(json === undefined ? {} : { json }) });
  return { status: response.status, body: JSON.parse(await response.text()) };
};

function put(path: string, content: string, mode = 0o644): string {
  const full = join(home, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  chmodSync(full, mode);
  return full;
}

const read = (path: string) => readFileSync(join(home, path), "utf8");
const origin = () => `http://127.0.0.1:${new URL(server.url).port}`;

describe("Claude Code", () => {
  const FILE = ".claude/settings.json";
  const ORIGINAL = `${JSON.stringify({ permissions: { allow: ["Bash(ls:*)"] }, env: { FOO: "bar", ANTHROPIC_API_KEY: "sk-ant-old" } }, null, 2)}\n`;

  it("is pointed at Switchyard with a key made for it, keeping the user's other settings", async () => {
    put(FILE, ORIGINAL, 0o640);
    const applied = await api("POST", "/api/cli-tools/claude-settings", {
      model: "anthropic/claude-sonnet-4-6",
    });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({
      tool: "claude",
      configured: true,
      baseUrl: origin(),
      model: "anthropic/claude-sonnet-4-6",
    });
    expect(applied.body.createdKeyId).toBeString();
    const settings = JSON.parse(read(FILE));
    expect(settings.permissions).toEqual({ allow: ["Bash(ls:*)"] });
    expect(settings.env).toMatchObject({
      FOO: "bar",
      ANTHROPIC_BASE_URL: origin(),
      ANTHROPIC_MODEL: "anthropic/claude-sonnet-4-6",
    });
    expect(settings.env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(statSync(join(home, FILE)).mode & 0o777).toBe(0o640);
    // The key written is a live key of this server.
    const models = await fetch(`${server.url}/v1/models`, {
      headers: { authorization: `Bearer ${settings.env.ANTHROPIC_AUTH_TOKEN}` },
    });
    expect(models.status).toBe(200);
    const keys = await api("GET", "/api/keys");
    expect(keys.body.keys.map((key: Named) => key.label)).toContain("Claude Code (CLI tools)");
  });

  it("shows how it is set up, with the key only as its last characters", async () => {
    const { status, body } = await api("GET", "/api/cli-tools/claude-settings");
    expect(status).toBe(200);
    expect(body.configured).toBe(true);
    expect(body.keyPreview).toHaveLength(4);
    expect(JSON.stringify(body)).not.toContain("sk-sy-");
    expect(body.files).toEqual([{ path: join(home, FILE), exists: true }]);
  });

  it("takes Switchyard out again and leaves the rest", async () => {
    const reset = await api("DELETE", "/api/cli-tools/claude-settings");
    expect(reset.body).toMatchObject({ configured: false, reset: true });
    expect(JSON.parse(read(FILE))).toEqual({ permissions: { allow: ["Bash(ls:*)"] }, env: { FOO: "bar" } });
    const again = await api("DELETE", "/api/cli-tools/claude-settings");
    expect(again.body).toMatchObject({ reset: false, backupId: null });
  });

  it("kept a backup before each change, and a restore puts the file back byte for byte", async () => {
    const { body } = await api("GET", "/api/cli-tools/backups?tool=claude");
    const backups: Named[] = body.backups;
    expect(backups.map((backup) => backup.reason)).toEqual([
      "before removing Switchyard",
      "before setting up Switchyard",
    ]);
    const first = backups.at(-1)!;
    const restored = await api("POST", "/api/cli-tools/backups", { action: "restore", backupId: first.id });
    expect(restored.status).toBe(200);
    expect(read(FILE)).toBe(ORIGINAL);
    expect(restored.body.previous.reason).toBe(`before restoring ${first.id}`);
  });

  it("uses a key it is given, and refuses one that is not a live Switchyard key", async () => {
    const key = (await api("POST", "/api/keys", { label: "mine" })).body.key as string;
    const applied = await api("POST", "/api/cli-tools/claude-settings", {
      apiKey: key,
      baseUrl: "https://sy.example:8443/ignored",
    });
    expect(applied.body.createdKeyId).toBeUndefined();
    expect(JSON.parse(read(FILE)).env).toMatchObject({
      ANTHROPIC_AUTH_TOKEN: key,
      ANTHROPIC_BASE_URL: "https://sy.example:8443",
    });
    const refused = await api("POST", "/api/cli-tools/claude-settings", {
      apiKey: "sk-sy-not-a-key",
      baseUrl: "ftp://x",
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((detail: Named) => detail.field).sort()).toEqual([
      "apiKey",
      "baseUrl",
    ]);
  });

  it("never overwrites a settings file it cannot read", async () => {
    put(FILE, "{ not json");
    const keys = server.context.apiKeys.list().length;
    const refused = await api("POST", "/api/cli-tools/claude-settings", {});
    expect(server.context.apiKeys.list().length).toBe(keys);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("could not be read");
    expect(read(FILE)).toBe("{ not json");
    rmSync(join(home, FILE));
  });
});

describe("Codex CLI", () => {
  const FILE = ".codex/config.toml";

  it("gets a Switchyard Responses provider; its other keys and tables stay", async () => {
    put(
      FILE,
      [
        'approval_policy = "never"',
        "",
        "[features]",
        "plugins = false",
        "",
        "[mcp_servers.docs]",
        'command = "npx"',
        'args = ["-y", "docs-server"]',
        "enabled = true",
        "",
      ].join("\n"),
    );
    const applied = await api("POST", "/api/cli-tools/codex-settings", {
      model: "anthropic/claude-sonnet-4-6",
    });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({
      configured: true,
      model: "anthropic/claude-sonnet-4-6",
      baseUrl: `${origin()}/v1`,
    });
    const config = parseToml(read(FILE));
    expect(config).toMatchObject({
      approval_policy: "never",
      model: "anthropic/claude-sonnet-4-6",
      model_provider: "switchyard",
      features: { plugins: false },
      mcp_servers: { docs: { command: "npx", args: ["-y", "docs-server"], enabled: true } },
      model_providers: { switchyard: { base_url: `${origin()}/v1`, wire_api: "responses" } },
    });
    expect(config).toMatchObject({
      model_providers: { switchyard: { experimental_bearer_token: expect.stringMatching(/^sk-sy-/) } },
    });
  });

  it("needs the model", async () => {
    const refused = await api("POST", "/api/cli-tools/codex-settings", {});
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([
      { field: "model", message: "Codex CLI needs the model to use" },
    ]);
  });

  it("is taken back to the user's own config", async () => {
    await api("DELETE", "/api/cli-tools/codex-settings");
    expect(parseToml(read(FILE))).toEqual({
      approval_policy: "never",
      features: { plugins: false },
      mcp_servers: { docs: { command: "npx", args: ["-y", "docs-server"], enabled: true } },
    });
  });

  it("manages Codex's profile files", async () => {
    const created = await api("POST", "/api/cli-tools/codex-profiles", {
      name: "fast",
      model: "groq/gpt-oss",
      reasoningEffort: "low",
    });
    expect(created.status).toBe(201);
    expect(parseToml(read(".codex/fast.config.toml"))).toEqual({
      model: "groq/gpt-oss",
      model_provider: "switchyard",
      model_reasoning_effort: "low",
    });
    expect((await api("POST", "/api/cli-tools/codex-profiles", { name: "fast", model: "x" })).status).toBe(
      409,
    );
    const changed = await api("PUT", "/api/cli-tools/codex-profiles", {
      name: "fast",
      model: "openai/gpt-6-luna",
    });
    expect(changed.body.profile).toMatchObject({
      model: "openai/gpt-6-luna",
      reasoningEffort: "low",
      switchyard: true,
    });
    const listed = await api("GET", "/api/cli-tools/codex-profiles");
    expect(listed.body.profiles.map((profile: Named) => profile.name)).toEqual(["fast"]);
    expect((await api("PUT", "/api/cli-tools/codex-profiles", { name: "missing", model: "x" })).status).toBe(
      404,
    );
    expect((await api("POST", "/api/cli-tools/codex-profiles", { name: "../evil", model: "x" })).status).toBe(
      400,
    );
    expect((await api("DELETE", "/api/cli-tools/codex-profiles?name=fast")).body).toEqual({
      ok: true,
      deleted: "fast",
    });
    expect(existsSync(join(home, ".codex/fast.config.toml"))).toBe(false);
    expect((await api("DELETE", "/api/cli-tools/codex-profiles", { name: "fast" })).status).toBe(404);
  });
});

describe("the other tools", () => {
  it("Kilo Code: provider and model added to kilo.jsonc, its comments kept", async () => {
    const FILE = ".config/kilo/kilo.jsonc";
    put(
      FILE,
      '{\n  // my theme\n  "theme": "dark",\n  "provider": {\n    "mine": { "npm": "@ai-sdk/openai" }, // keep\n  },\n}\n',
    );
    const applied = await api("POST", "/api/cli-tools/kilo-settings", { model: "openai/gpt-6-luna" });
    expect(applied.body).toMatchObject({ configured: true, model: "openai/gpt-6-luna" });
    const text = read(FILE);
    expect(text).toContain("// my theme");
    expect(text).toContain("// keep");
    const config = parseJsonc(text);
    expect(config).toMatchObject({
      theme: "dark",
      model: "switchyard/openai/gpt-6-luna",
      provider: {
        mine: { npm: "@ai-sdk/openai" },
        switchyard: { npm: "@ai-sdk/openai-compatible", options: { baseURL: `${origin()}/v1` } },
      },
    });
    await api("DELETE", "/api/cli-tools/kilo-settings");
    expect(parseJsonc(read(FILE))).toEqual({ theme: "dark", provider: { mine: { npm: "@ai-sdk/openai" } } });
    expect(read(FILE)).toContain("// my theme");
  });

  it("Kilo Code: an existing kilo.json is the file set up, not a new kilo.jsonc beside it", async () => {
    rmSync(join(home, ".config/kilo"), { recursive: true, force: true });
    put(".config/kilo/kilo.json", '{ "theme": "light" }\n');
    await api("POST", "/api/cli-tools/kilo-settings", { model: "m" });
    expect(existsSync(join(home, ".config/kilo/kilo.jsonc"))).toBe(false);
    expect(parseJsonc(read(".config/kilo/kilo.json"))).toMatchObject({
      theme: "light",
      model: "switchyard/m",
    });
    await api("DELETE", "/api/cli-tools/kilo-settings");
    expect(parseJsonc(read(".config/kilo/kilo.json"))).toEqual({ theme: "light" });
  });

  it("Cline: provider and models beside its own state, the key in secrets.json (0600)", async () => {
    put(
      ".cline/data/globalState.json",
      JSON.stringify({ taskHistory: [{ id: "t1" }], actModeApiProvider: "anthropic" }),
    );
    const applied = await api("POST", "/api/cli-tools/cline-settings", { model: "m" });
    expect(applied.body).toMatchObject({ configured: true, model: "m", baseUrl: `${origin()}/v1` });
    expect(JSON.parse(read(".cline/data/globalState.json"))).toEqual({
      taskHistory: [{ id: "t1" }],
      actModeApiProvider: "openai",
      planModeApiProvider: "openai",
      openAiBaseUrl: `${origin()}/v1`,
      actModeOpenAiModelId: "m",
      planModeOpenAiModelId: "m",
    });
    expect(statSync(join(home, ".cline/data/secrets.json")).mode & 0o777).toBe(0o600);
    await api("DELETE", "/api/cli-tools/cline-settings");
    expect(JSON.parse(read(".cline/data/globalState.json"))).toEqual({ taskHistory: [{ id: "t1" }] });
    expect(JSON.parse(read(".cline/data/secrets.json"))).toEqual({});
  });

  it("OpenClaw: a JSON5 config gets the provider and the agents' default model", async () => {
    const FILE = ".openclaw/openclaw.json";
    put(FILE, "{ gateway: { port: 18789 }, agents: { defaults: { workspace: '~/w' } } }");
    await api("POST", "/api/cli-tools/openclaw-settings", { model: "m" });
    const config = JSON5.parse(read(FILE));
    expect(config).toMatchObject({
      gateway: { port: 18789 },
      models: {
        mode: "merge",
        providers: { switchyard: { api: "openai-completions", models: [{ id: "m", name: "m" }] } },
      },
      agents: { defaults: { workspace: "~/w", model: { primary: "switchyard/m" } } },
    });
    await api("DELETE", "/api/cli-tools/openclaw-settings");
    expect(JSON5.parse(read(FILE)).agents).toEqual({ defaults: { workspace: "~/w" } });
  });

  it("Droid: Switchyard's custom model first, the user's own kept", async () => {
    const FILE = ".factory/settings.json";
    put(
      FILE,
      JSON.stringify({
        customModels: [{ model: "mine", apiKey: "x", provider: "anthropic" }],
        autonomy: "low",
      }),
    );
    await api("POST", "/api/cli-tools/droid-settings", { model: "m" });
    const settings = JSON.parse(read(FILE));
    expect(settings.autonomy).toBe("low");
    expect(settings.customModels.map((entry: Named) => entry.model)).toEqual(["m", "mine"]);
    expect(settings.customModels[0]).toMatchObject({
      provider: "generic-chat-completion-api",
      baseUrl: `${origin()}/v1`,
    });
    await api("DELETE", "/api/cli-tools/droid-settings");
    expect(JSON.parse(read(FILE)).customModels).toEqual([
      { model: "mine", apiKey: "x", provider: "anthropic" },
    ]);
  });
});

describe("runtime, guides and backups", () => {
  it("finds a tool's command in the user's bin folder and asks its version", async () => {
    const bin = put(".local/bin/openclaw", "#!/bin/sh\necho 'OpenClaw 2026.11.4'\n", 0o755);
    const { status, body } = await api("GET", "/api/cli-tools/runtime/openclaw");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      tool: "openclaw",
      installed: true,
      command: bin,
      version: "OpenClaw 2026.11.4",
    });
    expect(body.configPaths).toEqual([join(home, ".openclaw/openclaw.json")]);
    expect((await api("GET", "/api/cli-tools/runtime/vim")).status).toBe(404);
  });

  it("writes the guide for setting a tool up by hand, for the address the caller used", async () => {
    const { body } = await api("GET", "/api/cli-tools/guide-settings/codex?model=openai/gpt-6-luna");
    expect(body.files).toHaveLength(1);
    expect(body.files[0]).toMatchObject({ path: "~/.codex/config.toml", format: "toml" });
    expect(parseToml(body.files[0].content)).toMatchObject({
      model: "openai/gpt-6-luna",
      model_providers: {
        switchyard: { base_url: `${server.url}/v1`, experimental_bearer_token: "<your Switchyard API key>" },
      },
    });
  });

  it("takes a backup on demand, of one tool or of all", async () => {
    const one = await api("POST", "/api/cli-tools/backups", { tool: "droid" });
    expect(one.status).toBe(201);
    expect(one.body.backups).toHaveLength(1);
    expect(one.body.backups[0].files[0]).toMatchObject({
      path: join(home, ".factory/settings.json"),
      existed: true,
    });
    const all = await api("POST", "/api/cli-tools/backups");
    expect(all.body.backups.map((backup: Named) => backup.tool)).toEqual([
      "claude",
      "codex",
      "droid",
      "kilo",
      "cline",
      "openclaw",
    ]);
    expect((await api("POST", "/api/cli-tools/backups", { tool: "vim" })).status).toBe(404);
    expect(
      (await api("POST", "/api/cli-tools/backups", { action: "restore", backupId: "nope" })).status,
    ).toBe(404);
  });
});

describe("files that cannot be read or written", () => {
  it("answers 409 naming the path, when the config is a folder or its folder is a file", async () => {
    rmSync(join(home, ".openclaw"), { recursive: true, force: true });
    mkdirSync(join(home, ".openclaw/openclaw.json"), { recursive: true });
    const unreadable = await api("POST", "/api/cli-tools/openclaw-settings", { model: "m" });
    expect(unreadable.status).toBe(409);
    expect(unreadable.body.error.message).toContain("openclaw.json could not be read");
    rmSync(join(home, ".openclaw"), { recursive: true });

    rmSync(join(home, ".factory"), { recursive: true, force: true });
    writeFileSync(join(home, ".factory"), "a file where a folder should be");
    const unwritable = await api("POST", "/api/cli-tools/droid-settings", { model: "m" });
    expect(unwritable.status).toBe(409);
    expect(unwritable.body.error.message).toContain(".factory/settings.json could not be written");
    rmSync(join(home, ".factory"));
  });
});

describe("bodies that are not JSON objects", () => {
  it("are refused before anything is set up (not read as an empty object)", async () => {
    for (const [path, body] of [
      ["/api/cli-tools/claude-settings", "[1,2]"],
      ["/api/cli-tools/backups", '"all"'],
      ["/api/keys", "[]"],
    ] as const) {
      const response = await server.call(path, {
        method: "POST",
        cookie,
        headers: { "content-type": "application/json" },
        body,
      });
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toBe("The request body must be a JSON object");
    }
    expect(existsSync(join(home, ".claude/settings.json"))).toBe(false);
  });
});

describe("what is not offered", () => {
  it("answers 501 saying why, for Antigravity's MITM, OAuth imports and the cloud", async () => {
    for (const [method, path] of [
      ["GET", "/api/cli-tools/antigravity-mitm"],
      ["PUT", "/api/cli-tools/antigravity-mitm/alias"],
      ["GET", "/api/oauth/cursor/import"],
      ["GET", "/api/oauth/github/authorize"],
      ["POST", "/api/cloud/auth"],
      ["POST", "/api/sync/cloud"],
    ] as const) {
      const { status, body } = await api(method, path, method === "GET" ? undefined : {});
      expect(status).toBe(501);
      expect(body.error.message).toStartWith("Not offered: ");
    }
    expect((await server.call("/api/sync/cloud", { method: "POST" })).status).toBe(401);
  });
});
