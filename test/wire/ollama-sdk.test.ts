/** The official `ollama` SDK parses what our Ollama encoders write, streamed and not. */
import { describe, expect, it } from "bun:test";
import { Ollama } from "ollama";
import type { IRResponse, IRStreamEvent } from "../../src/wire/ir.ts";
import { ollamaCodec } from "../../src/wire/ollama/index.ts";
import { encodeEvents } from "./fixture-files.ts";
import { JSON_TYPE, NDJSON, serveCanned } from "./sdk-server.ts";

const events: IRStreamEvent[] = [
  { type: "start", id: "msg_1", model: "claude-x", created: 1_700_000_000 },
  { type: "reasoning_delta", index: 0, text: "The user wants " },
  { type: "reasoning_delta", index: 0, text: "the weather." },
  { type: "part_end", index: 0 },
  { type: "text_delta", index: 1, text: "Checking " },
  { type: "text_delta", index: 1, text: "both cities." },
  { type: "part_end", index: 1 },
  { type: "tool_call_start", index: 2, id: "toolu_1", name: "get_weather" },
  { type: "tool_call_delta", index: 2, argumentsDelta: '{"city":' },
  { type: "tool_call_start", index: 3, id: "toolu_2", name: "get_weather" },
  { type: "tool_call_delta", index: 3, argumentsDelta: '{"city":"Paris"}' },
  { type: "tool_call_delta", index: 2, argumentsDelta: '"Toronto"}' },
  { type: "part_end", index: 3 },
  { type: "part_end", index: 2 },
  { type: "finish", stopReason: "tool_use", usage: { inputTokens: 120, outputTokens: 33 } },
];

describe("ollama SDK acceptance", () => {
  it("streams our NDJSON through chat({stream:true}) with thinking, text, whole tool calls and counts", async () => {
    const body = encodeEvents(ollamaCodec.encodeStream({ model: "llama3.2" }), events);
    await using server = serveCanned({ body, contentType: NDJSON });
    const client = new Ollama({ host: server.url });
    const stream = await client.chat({
      model: "llama3.2",
      messages: [{ role: "user", content: "Weather in Toronto and Paris?" }],
      stream: true,
    });
    let content = "";
    let thinking = "";
    const toolCalls: Array<{ name: string; arguments: unknown }> = [];
    const finals = [];
    for await (const part of stream) {
      content += part.message.content;
      thinking += part.message.thinking ?? "";
      for (const call of part.message.tool_calls ?? []) toolCalls.push(call.function);
      if (part.done) finals.push(part);
    }
    expect(thinking).toBe("The user wants the weather.");
    expect(content).toBe("Checking both cities.");
    expect(toolCalls).toEqual([
      { name: "get_weather", arguments: { city: "Paris" } },
      { name: "get_weather", arguments: { city: "Toronto" } },
    ]);
    expect(finals).toHaveLength(1);
    expect(finals[0]?.done_reason).toBe("stop");
    expect(finals[0]?.prompt_eval_count).toBe(120);
    expect(finals[0]?.eval_count).toBe(33);
    expect(finals[0]?.model).toBe("llama3.2");
    expect(server.requests[0]?.path).toBe("/api/chat");
  });

  it("reads our non-streaming answer through chat({stream:false})", async () => {
    const response: IRResponse = {
      id: "chatcmpl-1",
      model: "gpt-x",
      created: 1_700_000_000,
      parts: [
        { type: "text", text: "It is 11°C in Toronto." },
        { type: "tool_call", id: "call_1", name: "log", arguments: '{"level":"info"}' },
      ],
      stopReason: "tool_use",
      usage: { inputTokens: 30, outputTokens: 9 },
    };
    const body = JSON.stringify(ollamaCodec.encodeResponse(response, { model: "llama3.2" }));
    await using server = serveCanned({ body, contentType: JSON_TYPE });
    const client = new Ollama({ host: server.url });
    const answer = await client.chat({
      model: "llama3.2",
      messages: [{ role: "user", content: "?" }],
      stream: false,
    });
    expect(answer.message.content).toBe("It is 11°C in Toronto.");
    expect(answer.message.tool_calls).toEqual([{ function: { name: "log", arguments: { level: "info" } } }]);
    expect(answer.done).toBe(true);
    expect(answer.eval_count).toBe(9);
  });

  it("surfaces our in-stream error line as the SDK's error", async () => {
    const body = encodeEvents(ollamaCodec.encodeStream({ model: "llama3.2" }), [
      { type: "start", id: "x", model: "m", created: 0 },
      { type: "text_delta", index: 0, text: "partial" },
      { type: "error", error: { type: "overloaded", status: 503, message: "upstream overloaded" } },
    ]);
    await using server = serveCanned({ body, contentType: NDJSON });
    const client = new Ollama({ host: server.url });
    const stream = await client.chat({ model: "llama3.2", messages: [], stream: true });
    const read = async () => {
      for await (const _ of stream) {
        // drain
      }
    };
    await expect(read()).rejects.toThrow("upstream overloaded");
  });

  it("sends a request body our decoder reads back", async () => {
    await using server = serveCanned({
      body: JSON.stringify(
        ollamaCodec.encodeResponse(
          { id: "x", model: "m", created: 0, parts: [{ type: "text", text: "ok" }], stopReason: "end_turn" },
          { model: "llava" },
        ),
      ),
      contentType: JSON_TYPE,
    });
    const client = new Ollama({ host: server.url });
    await client.chat({
      model: "llava",
      messages: [{ role: "user", content: "what is this?", images: ["iVBORw0KGgoAAAANSUhEUg=="] }],
      options: { temperature: 0.1, num_predict: 20 },
      think: "low",
    });
    const request = ollamaCodec.decodeRequest(JSON.parse(server.requests[0]?.body ?? "{}"));
    expect(request.stream).toBe(false);
    expect(request.sampling).toEqual({ temperature: 0.1, maxTokens: 20 });
    expect(request.reasoning).toEqual({ enabled: true, effort: "low" });
    expect(request.messages[0]?.parts[1]).toMatchObject({
      type: "image",
      source: { mediaType: "image/png" },
    });
  });
});
