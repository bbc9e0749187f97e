import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type GatewaySetup, MODEL_FOR, startGateway } from "../helpers/gateway-setup.ts";

let setup: GatewaySetup;
beforeAll(async () => {
  setup = await startGateway();
});
afterAll(async () => {
  await setup[Symbol.asyncDispose]();
});

const post = (json: unknown) =>
  setup.server.call("/api/evals", { method: "POST", cookie: setup.cookie, json });
const get = (path = "") => setup.server.call(`/api/evals${path}`, { cookie: setup.cookie });

const greetingCases = [
  {
    name: "greets in French",
    prompt: "Say hello in French",
    system: "Be brief.",
    checks: [
      { type: "contains", value: "bonjour", ignoreCase: true },
      { type: "regex", value: "^Bon.our" },
    ],
  },
  { name: "answers JSON", prompt: "Say hello as JSON", checks: [{ type: "json" }] },
];

interface Run {
  id: string;
  models: string[];
  passed: number;
  failed: number;
  results: Array<{
    model: string;
    case: string;
    passed: boolean;
    output: string | null;
    checks: Array<{ passed: boolean; message: string | null }>;
  }>;
}

async function problemFields(response: Response): Promise<string[]> {
  expect(response.status).toBe(400);
  return ((await response.json()) as { error: { details: Array<{ field: string }> } }).error.details.map(
    (detail) => detail.field,
  );
}

describe("/api/evals", () => {
  let suiteId: string;

  it("creates a suite and runs it against two models through the gateway, storing the results", async () => {
    const response = await post({
      name: "greetings",
      cases: greetingCases,
      models: [MODEL_FOR["openai-chat"], MODEL_FOR.anthropic],
    });
    expect(response.status).toBe(201);
    const { suite, run } = (await response.json()) as { suite: { id: string }; run: Run };
    suiteId = suite.id;
    expect(run.models).toEqual([MODEL_FOR["openai-chat"], MODEL_FOR.anthropic]);
    expect(run.results).toHaveLength(4);
    const greeting = run.results.filter((result) => result.case === "greets in French");
    expect(greeting.map((result) => result.passed)).toEqual([true, false]);
    expect(greeting[0]!.output).toBe("Bonjour !");
    expect(greeting[1]!.checks.map((check) => check.message)).toEqual([
      "does not contain 'bonjour'",
      "does not match /^Bon.our/",
    ]);
    const json = run.results.find((result) => result.case === "answers JSON")!;
    expect(json.passed).toBe(false);
    expect(json.checks[0]!.message).toContain("not valid JSON");
    expect(run).toMatchObject({ passed: 1, failed: 3 });
    const sent = setup.upstream.received.find((received) => received.dialect === "anthropic")!;
    expect(sent.body.system).toBeDefined();
  });

  it("checks answers against a JSON Schema, fenced JSON included", async () => {
    const answer = (content: string) => ({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1,
      model: "gpt-mock",
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
    setup.upstream.failNext(
      "openai-chat",
      200,
      answer('```json\n{"greeting": "bonjour", "language": "fr"}\n```'),
    );
    setup.upstream.failNext("openai-chat", 200, answer('{"greeting": 42}'));
    const schema = {
      type: "object",
      required: ["greeting"],
      properties: { greeting: { type: "string" }, language: { type: "string" } },
    };
    const response = await post({
      name: "structured",
      cases: [{ name: "shape", prompt: "Greet as JSON", checks: [{ type: "json-schema", schema }] }],
      models: [MODEL_FOR["openai-chat"]],
    });
    const { suite, run } = (await response.json()) as { suite: { id: string }; run: Run };
    expect(run.results[0]!.passed).toBe(true);

    const second = await post({ suiteId: suite.id, models: [MODEL_FOR["openai-chat"]] });
    expect(second.status).toBe(200);
    const failed = ((await second.json()) as { run: Run }).run.results[0]!;
    expect(failed.passed).toBe(false);
    expect(failed.checks[0]!.message).toContain("/greeting");
  });

  it("lists suites with their last run, and shows one with its runs compared per model", async () => {
    await post({ suiteId, models: [MODEL_FOR["openai-chat"]] });
    const list = (await (await get()).json()) as {
      suites: Array<{ id: string; name: string; lastRun: { models: string[] } | null }>;
    };
    const listed = list.suites.find((suite) => suite.id === suiteId)!;
    expect(listed.name).toBe("greetings");
    expect(listed.lastRun?.models).toEqual([MODEL_FOR["openai-chat"]]);

    const detail = (await (await get(`/${suiteId}`)).json()) as {
      runs: Run[];
      comparison: Array<{ model: string; runs: number; passed: number; total: number; passRate: number }>;
    };
    expect(detail.runs).toHaveLength(2);
    expect(detail.runs[0]!.models).toEqual([MODEL_FOR["openai-chat"]]);
    const openai = detail.comparison.find((entry) => entry.model === MODEL_FOR["openai-chat"])!;
    expect(openai).toMatchObject({ runs: 2, passed: 2, total: 4, passRate: 0.5 });
    expect(detail.comparison.find((entry) => entry.model === MODEL_FOR.anthropic)).toMatchObject({ runs: 1 });
  });

  it("answers 400 for a bad suite or run, naming the fields", async () => {
    expect(await problemFields(await post({}))).toEqual(["cases"]);
    expect(await problemFields(await post({ name: "greetings", cases: greetingCases }))).toEqual(["name"]);
    const badChecks = await post({
      name: "bad",
      cases: [
        {
          name: "c",
          prompt: "p",
          checks: [
            { type: "regex", value: "([" },
            { type: "contains" },
            { type: "json-schema", schema: "no" },
          ],
        },
      ],
    });
    expect(await problemFields(badChecks)).toEqual([
      "cases[0].checks[0].value",
      "cases[0].checks[1].value",
      "cases[0].checks[2].schema",
    ]);
    expect(await problemFields(await post({ suiteId }))).toEqual(["models"]);
    expect(await problemFields(await post({ suiteId, models: ["nowhere/none"] }))).toEqual(["models[0]"]);
    const wrongType = await post({
      name: "x",
      cases: [{ name: "c", prompt: "p", checks: [{ type: "vibes" }] }],
    });
    expect(wrongType.status).toBe(400);
  });

  it("answers 404 for an unknown suite", async () => {
    expect((await get("/nope")).status).toBe(404);
    expect((await post({ suiteId: "nope", models: [MODEL_FOR["openai-chat"]] })).status).toBe(404);
  });

  it("records suite creation and runs in the audit log", async () => {
    const log = (await (
      await setup.server.call(`/api/compliance/audit-log?route=/api/evals&target=${suiteId}`, {
        cookie: setup.cookie,
      })
    ).json()) as { entries: Array<{ status: number }> };
    expect(log.entries.map((entry) => entry.status)).toEqual([200, 201]);
  });

  it("needs a session or an admin key", async () => {
    expect((await setup.server.call("/api/evals")).status).toBe(401);
    expect((await setup.server.call(`/api/evals/${suiteId}`)).status).toBe(401);
    const run = { suiteId, models: [MODEL_FOR["openai-chat"]] };
    expect((await setup.server.call("/api/evals", { method: "POST", json: run })).status).toBe(401);
  });
});
