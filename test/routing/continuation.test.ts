/**
 * A stream cut after the client had part of the answer goes on at the next target that can
 * continue it (Anthropic's prefill): one coherent stream with one set of ids, the text whole,
 * a normal ending, and a usage row that counts both upstreams. Where nothing can continue it,
 * the stream still ends with the dialect's error event.
 *
 * Targets: `openai/gpt-4o` at an OpenAI-style fault upstream; `anthropic/claude-sonnet-4-6` at
 * two Anthropic-style ones (claude-a first, then claude-b). The combo `chain` is gpt-4o, then Claude.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { eq } from "drizzle-orm";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { usageAttempts, usageRecords } from "../../src/store/schema.ts";
import {
  FAULT_TEXT,
  type FaultUpstream,
  REASONING_TEXT,
  startFaultUpstream,
} from "../helpers/fault-upstream.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let gpt: FaultUpstream;
let claudeA: FaultUpstream;
let claudeB: FaultUpstream;
let llamaA: FaultUpstream;
let llamaB: FaultUpstream;
let gemini: FaultUpstream;
let mistral: FaultUpstream;
let cookie: string;
let key: string;

// A stall is found by the idle timeout; the others are generous, so that a loaded machine does
// not fail over by accident.
const TIMEOUTS = { connectMs: 2000, firstByteMs: 2000, idleMs: 300, totalMs: 5000 };
const CLAUDE = "anthropic/claude-sonnet-4-6";

beforeAll(async () => {
  gpt = startFaultUpstream("openai");
  claudeA = startFaultUpstream("anthropic");
  claudeB = startFaultUpstream("anthropic");
  llamaA = startFaultUpstream("ollama");
  llamaB = startFaultUpstream("ollama");
  gemini = startFaultUpstream("gemini");
  mistral = startFaultUpstream("openai");
  server = await startServer();
  cookie = await server.login();
  const admin = async (method: string, path: string, json: unknown) => {
    const response = await server.call(path, { method, cookie, json });
    expect(response.status).toBeLessThan(300);
    return response;
  };
  await admin("POST", "/api/providers", {
    provider: "openai",
    name: "gpt",
    apiKey: "k",
    url: `${gpt.url}/v1`,
  });
  for (const [name, upstream, priority] of [
    ["claude-a", claudeA, 0],
    ["claude-b", claudeB, 1],
  ] as const) {
    await admin("POST", "/api/providers", {
      provider: "anthropic",
      name,
      apiKey: "k",
      url: upstream.url,
      priority,
    });
  }
  for (const [name, upstream, priority] of [
    ["llama-a", llamaA, 0],
    ["llama-b", llamaB, 1],
  ] as const) {
    await admin("POST", "/api/providers", { provider: "ollama", name, url: upstream.url, priority });
  }
  await admin("POST", "/api/providers", { provider: "gemini", name: "gemini", apiKey: "k", url: gemini.url });
  await admin("POST", "/api/combos", { name: "chain", models: ["openai/gpt-4o", CLAUDE] });
  await admin("POST", "/api/combos", { name: "gemini-chain", models: ["gemini/gemini-fault", CLAUDE] });
  await admin("POST", "/api/providers", {
    provider: "mistral",
    name: "mistral",
    apiKey: "k",
    url: `${mistral.url}/v1`,
  });
  await admin("POST", "/api/combos", {
    name: "mistral-chain",
    models: ["openai/gpt-4o", "mistral/mistral-large-latest"],
  });
  await admin("PATCH", "/api/settings", { timeouts: TIMEOUTS });
  key = ((await (await admin("POST", "/api/keys", { label: "t" })).json()) as { key: string }).key;
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
  for (const upstream of [gpt, claudeA, claudeB, llamaA, llamaB, gemini, mistral])
    await upstream[Symbol.asyncDispose]();
});
beforeEach(async () => {
  for (const upstream of [gpt, claudeA, claudeB, llamaA, llamaB, gemini, mistral]) upstream.always("ok");
  await server.call("/api/resilience/reset", { method: "POST", cookie });
});

const openai = () => new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: key, baseURL: server.url, maxRetries: 0 });

/** The last request an upstream got: its final message, and whether it asked for thinking. */
function lastRequest(upstream: FaultUpstream) {
  const body = upstream.bodies.at(-1) as {
    messages: Array<{ role: string; content: unknown }>;
    thinking?: { type: string };
  };
  return { last: body.messages.at(-1), thinking: body.thinking?.type ?? "absent" };
}

/** A streamed chat through the Ollama SDK: the text it assembled and how many parts said done. */
async function ollamaChat(model: string): Promise<{ text: string; finals: number }> {
  const client = new Ollama({ host: server.url, headers: { Authorization: `Bearer ${key}` } });
  let text = "";
  let finals = 0;
  for await (const part of await client.chat({
    model,
    stream: true,
    messages: [{ role: "user", content: "hi" }],
  })) {
    text += part.message.content;
    if (part.done) finals++;
  }
  return { text, finals };
}

async function rawStream(path: string, headers: Record<string, string>, body: unknown) {
  const started = performance.now();
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { response, text, ms: performance.now() - started };
}

const chatStream = (model: string) =>
  rawStream(
    "/v1/chat/completions",
    { authorization: `Bearer ${key}` },
    { model, stream: true, messages: [{ role: "user", content: "hi" }] },
  );

const messagesStream = (model: string) =>
  rawStream(
    "/v1/messages",
    { "x-api-key": key, "anthropic-version": "2023-06-01" },
    { model, max_tokens: 50, stream: true, messages: [{ role: "user", content: "hi" }] },
  );

/** The data of every OpenAI chunk in a raw stream, and whether it ended with [DONE]. */
function chunksOf(text: string) {
  const data = [...text.matchAll(/^data: (.*)$/gm)].map((match) => match[1]!);
  return {
    done: data.at(-1) === "[DONE]",
    chunks: data
      .filter((line) => line !== "[DONE]")
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("a stream cut mid-answer goes on at the next target", () => {
  for (const fault of ["cut", "stall", "malformed", "error-event"] as const) {
    it(`continues a ${fault} OpenAI stream on Claude with the partial text as prefill (OpenAI SDK)`, async () => {
      gpt.script(fault);
      const before = claudeA.count;
      const started = performance.now();
      let text = "";
      let finish: string | null | undefined;
      const ids = new Set<string>();
      for await (const chunk of await openai().chat.completions.create({
        model: "chain",
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      })) {
        ids.add(chunk.id);
        text += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(text).toBe(FAULT_TEXT);
      expect(finish).toBe("stop");
      expect([...ids]).toEqual(["chatcmpl-fault"]);
      expect(claudeA.count).toBe(before + 1);
      expect(lastRequest(claudeA)).toEqual({
        last: { role: "assistant", content: [{ type: "text", text: "Partial" }] },
        thinking: "disabled",
      });
      expect(performance.now() - started).toBeLessThan(TIMEOUTS.idleMs + 1000);
    });
  }

  it("continues for an Ollama client too, ending with done: true once (Ollama SDK)", async () => {
    gpt.script("cut");
    expect(await ollamaChat("chain")).toEqual({ text: FAULT_TEXT, finals: 1 });
  });

  it("sends one well-formed stream: one role chunk, one finish, [DONE] once", async () => {
    gpt.script("cut");
    const { text } = await chatStream("chain");
    const { chunks, done } = chunksOf(text);
    expect(done).toBe(true);
    const choices = chunks.map((chunk) => (chunk.choices as Array<Record<string, unknown>>)[0]);
    const finishes = choices.filter((choice) => choice?.finish_reason);
    expect(finishes.map((choice) => choice?.finish_reason)).toEqual(["stop"]);
    expect(text).not.toContain('"error"');
  });

  it("continues a passed-through Anthropic stream on the next account under the same message id (Anthropic SDK)", async () => {
    claudeA.script("cut");
    const message = await anthropic()
      .messages.stream({ model: CLAUDE, max_tokens: 50, messages: [{ role: "user", content: "hi" }] })
      .finalMessage();
    expect(message.id).toBe("msg_fault");
    expect(message.content.map((block) => (block.type === "text" ? block.text : block.type))).toEqual([
      FAULT_TEXT,
    ]);
    expect(message.stop_reason).toBe("end_turn");
    expect(lastRequest(claudeB).last).toEqual({
      role: "assistant",
      content: [{ type: "text", text: "Partial" }],
    });
  });

  for (const fault of ["cut", "error-event"] as const) {
    it(`continues a passed-through Ollama stream (${fault}) on the next account, ending with done once (Ollama SDK)`, async () => {
      llamaA.script(fault);
      expect(await ollamaChat("ollama/llama-fault")).toEqual({ text: FAULT_TEXT, finals: 1 });
      expect(lastRequest(llamaB).last).toEqual({ role: "assistant", content: "Partial" });
    });
  }

  for (const fault of ["cut", "error-event"] as const) {
    it(`continues a passed-through Gemini stream (${fault}) on Claude, finishing once (Gemini SDK)`, async () => {
      gemini.script(fault);
      const client = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: server.url } });
      let text = "";
      const finishes: string[] = [];
      for await (const chunk of await client.models.generateContentStream({
        model: "gemini-chain",
        contents: "hi",
      })) {
        text += chunk.text ?? "";
        const reason = chunk.candidates?.[0]?.finishReason;
        if (reason) finishes.push(reason);
      }
      expect(text).toBe(FAULT_TEXT);
      expect(finishes).toEqual(["STOP"]);
      expect(lastRequest(claudeA).last).toEqual({
        role: "assistant",
        content: [{ type: "text", text: "Partial" }],
      });
    });
  }

  it("continues on Mistral, asking it with `prefix: true` to continue the partial text", async () => {
    gpt.script("cut");
    const { text } = await chatStream("mistral-chain");
    const deltas = chunksOf(text).chunks.map(
      (chunk) => (chunk.choices as Array<{ delta?: { content?: string } }>)[0]?.delta?.content ?? "",
    );
    expect(deltas.join("")).toBe(FAULT_TEXT);
    expect(mistral.bodies.at(-1)?.messages).toContainEqual({
      role: "assistant",
      content: "Partial",
      prefix: true,
    });
  });

  it("does not pass an upstream's overloaded event on when the answer can go on elsewhere", async () => {
    claudeA.script("error-event");
    const { text } = await messagesStream(CLAUDE);
    expect(text).not.toContain("overloaded_error");
    expect(text.match(/^event: message_start$/gm)).toHaveLength(1);
    expect(text.match(/^event: content_block_start$/gm)).toHaveLength(1);
    expect(text.match(/^event: message_stop$/gm)).toHaveLength(1);
    const deltas = [...text.matchAll(/"text_delta","text":("(?:[^"\\]|\\.)*")/g)].map(
      (match) => JSON.parse(match[1]!) as string,
    );
    expect(deltas.join("")).toBe(FAULT_TEXT);
  });

  it("records both upstreams: the cut attempt, the one that finished, and tokens for both", async () => {
    gpt.script("cut");
    const { response } = await chatStream("chain");
    const requestId = response.headers.get("x-request-id")!;
    server.context.usage.flush();
    let row: typeof usageRecords.$inferSelect | undefined;
    for (let wait = 0; wait < 50 && !row; wait++) {
      await Bun.sleep(20);
      server.context.usage.flush();
      row = server.context.store.db
        .select()
        .from(usageRecords)
        .where(eq(usageRecords.requestId, requestId))
        .get();
    }
    expect(row).toMatchObject({
      status: 200,
      provider: "anthropic",
      attempts: 2,
      estimated: true,
      aborted: false,
    });
    const attempts = server.context.store.db
      .select()
      .from(usageAttempts)
      .where(eq(usageAttempts.usageId, row!.id))
      .all();
    expect(attempts.map(({ provider, failure }) => ({ provider, failure }))).toEqual([
      { provider: "openai", failure: "stream_cut" },
      { provider: "anthropic", failure: null },
    ]);
    // The Anthropic upstream reported 3 in, 3 out; the cut OpenAI stream read the prompt too and wrote "Partial ".
    expect(row!.inputTokens).toBeGreaterThan(3);
    expect(row!.outputTokens).toBeGreaterThan(3);
  });
});

describe("while nothing fails", () => {
  it("passes a same-dialect stream through byte for byte, though it could go on elsewhere", async () => {
    const body = {
      model: "claude-sonnet-4-6",
      max_tokens: 50,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    };
    const direct = await (
      await fetch(`${claudeA.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      })
    ).text();
    const { text } = await messagesStream(CLAUDE);
    expect(text).toBe(direct);
  });
});

describe("a cut inside reasoning", () => {
  it("starts the answer afresh on the next target for an OpenAI client, after the reasoning it had", async () => {
    gpt.script("cut-in-reasoning");
    let reasoning = "";
    let text = "";
    for await (const chunk of await openai().chat.completions.create({
      model: "chain",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    })) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? "";
      text += delta?.content ?? "";
    }
    expect(reasoning).toBe(REASONING_TEXT);
    expect(text).toBe(FAULT_TEXT);
    // Nothing to continue: the next target gets the request as it was, without reasoning.
    expect(lastRequest(claudeA)).toEqual({
      last: { role: "user", content: [{ type: "text", text: "hi" }] },
      thinking: "disabled",
    });
  });

  it("is not continued for an Anthropic client, whose thinking block would lack its signature", async () => {
    claudeA.script("cut-in-reasoning");
    const before = claudeB.count;
    const { text } = await messagesStream(CLAUDE);
    expect(text).toContain("event: error");
    expect(text).not.toContain("message_stop");
    expect(claudeB.count).toBe(before);
  });
});

describe("where nothing can continue the answer", () => {
  it("ends the stream with the dialect's error event, never [DONE]", async () => {
    gpt.script("cut");
    const { text } = await chatStream("openai/gpt-4o");
    expect(text).toContain("Partial");
    expect(text).toContain('"error"');
    expect(chunksOf(text).done).toBe(false);
  });

  it("ends with the error event when the next target fails too", async () => {
    claudeA.script("cut");
    claudeB.always({
      status: 529,
      body: { type: "error", error: { type: "overloaded_error", message: "busy" } },
    });
    const before = claudeB.count;
    const { text } = await messagesStream(CLAUDE);
    expect(claudeB.count).toBe(before + 1);
    expect(text).toContain("event: error");
    expect(text).not.toContain("message_stop");
  });
});
