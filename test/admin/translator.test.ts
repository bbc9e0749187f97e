import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type GatewaySetup, MODEL_FOR, startGateway } from "../helpers/gateway-setup.ts";

let setup: GatewaySetup;
beforeAll(async () => {
  setup = await startGateway();
});
afterAll(async () => {
  await setup[Symbol.asyncDispose]();
});

const post = (path: string, json?: unknown, cookie = setup.cookie) =>
  setup.server.call(path, { method: "POST", cookie, ...(json === undefined ? {} : { json }) });

const anthropicBody = {
  model: "claude-mock",
  max_tokens: 100,
  system: "Answer in French.",
  messages: [{ role: "user", content: "Hello" }],
};

async function problems(response: Response): Promise<string[]> {
  expect(response.status).toBe(400);
  const body = (await response.json()) as { error: { details: Array<{ field: string }> } };
  return body.error.details.map((detail) => detail.field);
}

describe("/api/translator/detect", () => {
  it("names the dialect of a body, and null when nothing tells", async () => {
    const response = await post("/api/translator/detect", { body: anthropicBody });
    expect(await response.json()).toEqual({ format: "anthropic", detected: true });
    const gemini = await post("/api/translator/detect", { body: { contents: [] } });
    expect(((await gemini.json()) as { format: string }).format).toBe("gemini");
    const unknown = await post("/api/translator/detect", { body: { hello: "world" } });
    expect(await unknown.json()).toEqual({ format: null, detected: false });
  });

  it("answers 400 without a body object", async () => {
    expect(await problems(await post("/api/translator/detect", { body: "text" }))).toEqual(["body"]);
    expect(await problems(await post("/api/translator/detect", {}))).toEqual(["body"]);
  });
});

describe("/api/translator/translate", () => {
  it("translates a request between dialects through the IR", async () => {
    const response = await post("/api/translator/translate", {
      sourceFormat: "claude",
      targetFormat: "openai-chat",
      body: anthropicBody,
    });
    expect(response.status).toBe(200);
    const translated = (await response.json()) as {
      sourceFormat: string;
      targetFormat: string;
      body: { model: string; messages: Array<{ role: string; content: unknown }> };
      ir: unknown;
    };
    expect(translated.sourceFormat).toBe("anthropic");
    expect(translated.body.model).toBe("claude-mock");
    expect(translated.body.messages[0]).toMatchObject({ role: "system", content: "Answer in French." });
    expect(translated.body.messages[1]).toMatchObject({ role: "user", content: "Hello" });
    expect(translated.ir).toBeDefined();
  });

  it("answers 400 naming each unknown format, and for a body the source codec refuses", async () => {
    const unknown = await post("/api/translator/translate", {
      sourceFormat: "cobol",
      targetFormat: "klingon",
      body: anthropicBody,
    });
    expect(await problems(unknown)).toEqual(["sourceFormat", "targetFormat"]);
    const refused = await post("/api/translator/translate", {
      sourceFormat: "anthropic",
      targetFormat: "gemini",
      body: { model: "m", messages: "not a list" },
    });
    expect((await problems(refused))[0]).toStartWith("body");
    expect(await problems(await post("/api/translator/translate", { body: {} }))).toContain("sourceFormat");
  });
});

describe("/api/translator/send", () => {
  it("runs the body through the gateway with the chosen model and answers in the body's dialect", async () => {
    const response = await post("/api/translator/send", {
      body: anthropicBody,
      model: MODEL_FOR["openai-chat"],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-provider")).toBe("openai");
    const answer = (await response.json()) as { type: string; content: Array<{ text: string }> };
    expect(answer.type).toBe("message");
    expect(answer.content[0]?.text).toBe("Bonjour !");
    const received = setup.upstream.received.at(-1)!;
    expect(received.dialect).toBe("openai-chat");
    expect(received.body.model).toBe("gpt-mock");
  });

  it("passes the gateway's refusal through in the body's dialect", async () => {
    const response = await post("/api/translator/send", {
      body: { ...anthropicBody, model: "nowhere/none" },
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(((await response.json()) as { type: string }).type).toBe("error");
  });

  it("answers 400 for a body whose format is unknown or without a model", async () => {
    expect(await problems(await post("/api/translator/send", { body: { hello: 1 }, model: "m" }))).toEqual([
      "sourceFormat",
    ]);
    const noModel = await post("/api/translator/send", {
      body: { messages: [{ role: "user", content: "x" }] },
    });
    expect(await problems(noModel)).toEqual(["model"]);
  });

  it("keeps a history of runs, newest first", async () => {
    const { history } = (await (
      await setup.server.call("/api/translator/history", { cookie: setup.cookie })
    ).json()) as {
      history: Array<{ action: string; status: number; model: string | null }>;
    };
    expect(history[0]).toMatchObject({ action: "send", status: history[0]!.status });
    expect(
      history.some(
        (run) => run.action === "send" && run.status === 200 && run.model === MODEL_FOR["openai-chat"],
      ),
    ).toBe(true);
    expect(history.some((run) => run.action === "translate")).toBe(true);
    expect(history.some((run) => run.action === "detect")).toBe(true);
  });
});

describe("/api/translator/save and /load", () => {
  it("saves a body by name, lists saved ones, loads one and replaces it on a second save", async () => {
    const saved = await post("/api/translator/save", {
      name: "greeting",
      body: anthropicBody,
      sourceFormat: "claude",
    });
    expect(saved.status).toBe(200);
    await post("/api/translator/save", { name: "greeting", body: { ...anthropicBody, max_tokens: 5 } });
    const loaded = await setup.server.call("/api/translator/load?name=greeting", { cookie: setup.cookie });
    const { snippet } = (await loaded.json()) as {
      snippet: { body: { max_tokens: number }; sourceFormat: null };
    };
    expect(snippet.body.max_tokens).toBe(5);
    expect(snippet.sourceFormat).toBeNull();
    const list = (await (
      await setup.server.call("/api/translator/load", { cookie: setup.cookie })
    ).json()) as {
      snippets: Array<{ name: string }>;
    };
    expect(list.snippets.map((entry) => entry.name)).toEqual(["greeting"]);
  });

  it("answers 404 for an unknown name and 400 for a bad save", async () => {
    const missing = await setup.server.call("/api/translator/load?name=nope", { cookie: setup.cookie });
    expect(missing.status).toBe(404);
    expect(await problems(await post("/api/translator/save", { name: " ", body: {} }))).toEqual(["name"]);
    expect(
      await problems(await post("/api/translator/save", { name: "x", body: {}, targetFormat: "?" })),
    ).toEqual(["targetFormat"]);
  });
});

describe("the translator", () => {
  it("needs a session or an admin key", async () => {
    for (const path of ["detect", "translate", "send", "save"]) {
      const body = { name: "n", body: anthropicBody, sourceFormat: "anthropic", targetFormat: "gemini" };
      expect(
        (await setup.server.call(`/api/translator/${path}`, { method: "POST", json: body })).status,
      ).toBe(401);
    }
    for (const path of ["history", "load"]) {
      expect((await setup.server.call(`/api/translator/${path}`)).status).toBe(401);
    }
  });
});
