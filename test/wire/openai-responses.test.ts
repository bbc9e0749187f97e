import { describe, expect, it } from "bun:test";
import { WireError } from "../../src/wire/errors.ts";
import type { IRRequest, IRResponse } from "../../src/wire/ir.ts";
import { openaiResponsesCodec as codec } from "../../src/wire/openai-responses/index.ts";
import { fixtureFiles, jsonFixture } from "./fixture-files.ts";

const decodeFixture = (file: string) => codec.decodeRequest(jsonFixture("openai-responses", file));

function wireError(run: () => unknown): WireError {
  try {
    run();
  } catch (error) {
    if (error instanceof WireError) return error;
    throw error;
  }
  throw new Error("expected a WireError");
}

function baseRequest(overrides: Partial<IRRequest> = {}): IRRequest {
  return {
    model: "gpt-4.1",
    system: [],
    messages: [{ role: "user", parts: [{ type: "text", text: "hi" }] }],
    sampling: {},
    stream: false,
    ...overrides,
  };
}

function baseResponse(overrides: Partial<IRResponse> = {}): IRResponse {
  return {
    id: "chatcmpl-1",
    model: "upstream-model",
    created: 1741476542,
    parts: [{ type: "text", text: "Hello!" }],
    stopReason: "end_turn",
    usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 4, reasoningTokens: 2 },
    ...overrides,
  };
}

describe("openai-responses decodeRequest", () => {
  it("reads a string input as one user message and does not stream by default", () => {
    const request = decodeFixture("request-text.json");
    expect(request.model).toBe("gpt-4.1");
    expect(request.messages).toEqual([
      {
        role: "user",
        parts: [{ type: "text", text: "Tell me a three sentence bedtime story about a unicorn." }],
      },
    ]);
    expect(request.system).toEqual([]);
    expect(request.stream).toBe(false);
  });

  it("reads message items of both roles, sampling, stream, user and metadata", () => {
    const request = decodeFixture("request-multi-turn.json");
    expect(request.messages).toEqual([
      { role: "user", parts: [{ type: "text", text: "knock knock." }] },
      { role: "assistant", parts: [{ type: "text", text: "Who's there?" }] },
      { role: "user", parts: [{ type: "text", text: "Orange." }] },
    ]);
    expect(request.sampling).toEqual({ temperature: 0.7, topP: 0.9, maxTokens: 256 });
    expect(request.stream).toBe(true);
    expect(request.user).toBe("user-1234");
    expect(request.metadata).toEqual({ session: "abc" });
  });

  it("puts instructions and leading developer messages in the system prompt and keeps later ones in place", () => {
    const request = decodeFixture("request-system.json");
    expect(request.system).toEqual([
      { text: "You are a coding assistant that talks like a pirate.", kind: "system" },
      { text: "Answer in one sentence.", kind: "developer" },
    ]);
    expect(request.messages).toEqual([
      { role: "user", parts: [{ type: "text", text: "Are semicolons optional in JavaScript?" }] },
      { role: "system", parts: [{ type: "text", text: "Be brief." }] },
    ]);
  });

  it("reads image URLs, data URLs and files by data, id and name", () => {
    const [message] = decodeFixture("request-image.json").messages;
    expect(message?.parts).toEqual([
      { type: "text", text: "What is in this image, and what does the PDF say?" },
      {
        type: "image",
        source: {
          kind: "url",
          url: "https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg",
        },
        detail: "high",
      },
      {
        type: "image",
        source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgoAAAANSUhEUg==" },
        detail: "auto",
      },
      {
        type: "file",
        source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQK" },
        filename: "draconomicon.pdf",
      },
      { type: "file", source: { kind: "file_id", fileId: "file-6F2ksmvXxt4VdoqmHRw6kL", store: "openai" } },
    ]);
  });

  it("reads top-level function tools, a required tool choice and parallel_tool_calls", () => {
    const request = decodeFixture("request-tools.json");
    expect(request.tools).toEqual([
      {
        name: "get_weather",
        description: "Get current temperature for a given location.",
        parameters: {
          type: "object",
          properties: { location: { type: "string", description: "City and country e.g. Bogotá, Colombia" } },
          required: ["location"],
          additionalProperties: false,
        },
        strict: true,
      },
      {
        name: "get_time",
        parameters: { type: "object", properties: { timezone: { type: "string" } } },
        strict: false,
      },
    ]);
    expect(request.toolChoice).toEqual({ type: "required" });
    expect(request.parallelToolCalls).toBe(true);
  });

  it("joins function calls into one assistant turn and their outputs into one user turn of tool results", () => {
    const request = decodeFixture("request-tool-results.json");
    expect(request.messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(request.messages[1]?.parts).toEqual([
      {
        type: "tool_call",
        id: "call_12345xyz",
        name: "get_weather",
        arguments: '{"location":"Paris, France"}',
      },
      {
        type: "tool_call",
        id: "call_67890abc",
        name: "get_weather",
        arguments: '{"location":"Bogotá, Colombia"}',
      },
    ]);
    expect(request.messages[2]?.parts).toEqual([
      {
        type: "tool_result",
        toolCallId: "call_12345xyz",
        content: [{ type: "text", text: '{"temperature": 14}' }],
      },
      {
        type: "tool_result",
        toolCallId: "call_67890abc",
        content: [{ type: "text", text: "18°C and sunny" }],
      },
    ]);
    expect(request.toolChoice).toEqual({ type: "tool", name: "get_weather" });
  });

  it("keeps reasoning items with their id and encrypted content, and reads effort and summary", () => {
    const request = decodeFixture("request-reasoning.json");
    expect(request.reasoning).toEqual({ effort: "high", includeThoughts: true });
    expect(request.messages[1]).toEqual({
      role: "assistant",
      parts: [
        {
          type: "reasoning",
          text: "**Counting letters**\n\nI need to count the r's.",
          itemId: "rs_6820f383d7c08191846711c5df8233bc0ac5ba57aafcbac7",
          encryptedContent: "gAAAAABoIPOE6rIa9",
        },
        { type: "text", text: "There are three r's in strawberry." },
      ],
    });
  });

  it("reads effort none as reasoning off and max as the top effort", () => {
    const none = codec.decodeRequest({ model: "m", input: "x", reasoning: { effort: "none" } });
    expect(none.reasoning).toEqual({ effort: "none", enabled: false, includeThoughts: false });
    const max = codec.decodeRequest({ model: "m", input: "x", reasoning: { effort: "max" } });
    expect(max.reasoning).toEqual({ effort: "xhigh", includeThoughts: false });
  });

  it("reads a json_schema text format as structured output", () => {
    const request = decodeFixture("request-structured.json");
    expect(request.responseFormat).toEqual({
      type: "json_schema",
      name: "calendar_event",
      schema: {
        type: "object",
        properties: {
          name: { type: "string" },
          date: { type: "string" },
          participants: { type: "array", items: { type: "string" } },
        },
        required: ["name", "date", "participants"],
        additionalProperties: false,
      },
      strict: true,
    });
    expect(request.system).toEqual([{ text: "Extract the event information.", kind: "system" }]);
  });

  it("narrows the tool list to allowed_tools", () => {
    const request = codec.decodeRequest({
      model: "m",
      input: "x",
      tools: [
        { type: "function", name: "a", parameters: {} },
        { type: "function", name: "b", parameters: {} },
      ],
      tool_choice: { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "b" }] },
    });
    expect(request.tools?.map((tool) => tool.name)).toEqual(["b"]);
    expect(request.toolChoice).toEqual({ type: "required" });
  });

  it("takes the model from the route when the body has none", () => {
    expect(codec.decodeRequest({ input: "x" }, { model: "gpt-5" }).model).toBe("gpt-5");
  });

  it("refuses stored state with a 400 naming the field", () => {
    for (const field of ["previous_response_id", "conversation", "prompt"]) {
      const error = wireError(() => codec.decodeRequest({ model: "m", input: "x", [field]: "resp_1" }));
      expect(error.error.status).toBe(400);
      expect(error.error.param).toBe(field);
    }
    const reference = wireError(() =>
      codec.decodeRequest({ model: "m", input: [{ type: "item_reference", id: "msg_1" }] }),
    );
    expect(reference.error.param).toBe("input[0].id");
  });

  it("refuses hosted tools other than web search, naming the tool, since dropping them changes the answer", () => {
    const error = wireError(() =>
      codec.decodeRequest({
        model: "m",
        input: "x",
        tools: [{ type: "file_search", vector_store_ids: ["vs_1"] }],
      }),
    );
    expect(error.error.param).toBe("tools[0].type");
    expect(error.message).toContain("file_search");
  });

  it("names the field at fault in malformed requests", () => {
    const cases: Array<[unknown, string]> = [
      ["not an object", "body"],
      [{ input: "x" }, "model"],
      [{ model: "m" }, "input"],
      [{ model: "m", input: [{ role: "robot", content: "x" }] }, "input[0].role"],
      [
        { model: "m", input: [{ role: "user", content: [{ type: "input_audio" }] }] },
        "input[0].content[0].type",
      ],
      [{ model: "m", input: [{ type: "function_call", name: "f", arguments: "{}" }] }, "input[0].call_id"],
      [{ model: "m", input: "x", temperature: "hot" }, "temperature"],
      [{ model: "m", input: "x", max_output_tokens: 1.5 }, "max_output_tokens"],
      [{ model: "m", input: "x", reasoning: { effort: "extreme" } }, "reasoning.effort"],
      [{ model: "m", input: "x", text: { format: { type: "yaml" } } }, "text.format.type"],
      [{ model: "m", input: "x", tool_choice: { type: "mcp", server_label: "s" } }, "tool_choice.type"],
      [
        { model: "m", input: [{ role: "user", content: [{ type: "input_image", file_id: "f" }] }] },
        "input[0].content[0].file_id",
      ],
    ];
    for (const [body, param] of cases)
      expect(wireError(() => codec.decodeRequest(body)).error.param).toBe(param);
  });
});

describe("openai-responses encodeRequest", () => {
  it("writes instructions, items, sampling and store:false", () => {
    const body = codec.encodeRequest(
      baseRequest({
        system: [{ text: "Be terse." }, { text: "Use metric units.", kind: "developer" }],
        sampling: { temperature: 0.2, topP: 0.5, maxTokens: 100, topK: 3, seed: 1 },
        user: "u1",
        metadata: { a: "b" },
        stream: true,
      }),
    );
    expect(body).toEqual({
      model: "gpt-4.1",
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }],
      instructions: "Be terse.\n\nUse metric units.",
      temperature: 0.2,
      top_p: 0.5,
      max_output_tokens: 100,
      user: "u1",
      metadata: { a: "b" },
      store: false,
      stream: true,
    });
  });

  it("round-trips every request fixture to an equivalent IR", () => {
    for (const file of fixtureFiles("openai-responses", "request")) {
      const request = decodeFixture(file);
      const again = codec.decodeRequest(codec.encodeRequest(request));
      // Instructions and leading system messages merge into one; everything else survives as is.
      expect(again.messages).toEqual(request.messages);
      // Namespaced functions go to OpenAI by their flat names, which it accepts as well.
      expect(again.tools).toEqual(request.tools?.map(({ namespaced: _, ...tool }) => tool));
      expect(again.responseFormat).toEqual(request.responseFormat);
      expect(again.system.map((part) => part.text).join("\n\n")).toBe(
        request.system.map((part) => part.text).join("\n\n"),
      );
    }
  });

  it("writes function calls, their outputs and encrypted reasoning as items in order", () => {
    const body = codec.encodeRequest(
      baseRequest({
        messages: [
          { role: "user", parts: [{ type: "text", text: "weather?" }] },
          {
            role: "assistant",
            parts: [
              { type: "reasoning", text: "thinking", itemId: "rs_1", encryptedContent: "enc" },
              { type: "reasoning", text: "claude thinking", signature: "sig" },
              { type: "text", text: "Checking." },
              { type: "tool_call", id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
            ],
          },
          {
            role: "user",
            parts: [
              { type: "tool_result", toolCallId: "call_1", content: [{ type: "text", text: "14C" }] },
              { type: "text", text: "thanks" },
            ],
          },
        ],
      }),
    );
    expect(body.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "weather?" }] },
      {
        type: "reasoning",
        id: "rs_1",
        summary: [{ type: "summary_text", text: "thinking" }],
        encrypted_content: "enc",
      },
      {
        type: "message",
        role: "assistant",
        content: [{ type: "output_text", text: "Checking.", annotations: [] }],
      },
      { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "function_call_output", call_id: "call_1", output: "14C" },
      { type: "message", role: "user", content: [{ type: "input_text", text: "thanks" }] },
    ]);
  });

  it("writes images, files and image tool output in Responses form", () => {
    const body = codec.encodeRequest(
      baseRequest({
        messages: [
          {
            role: "user",
            parts: [
              { type: "image", source: { kind: "base64", mediaType: "image/png", data: "AAA" } },
              { type: "image", source: { kind: "url", url: "https://x/y.jpg" }, detail: "low" },
              {
                type: "file",
                source: { kind: "base64", mediaType: "application/pdf", data: "JVB" },
                filename: "a.pdf",
              },
              { type: "file", source: { kind: "file_id", fileId: "file-1", store: "openai" } },
              {
                type: "tool_result",
                toolCallId: "c",
                content: [
                  { type: "text", text: "see" },
                  { type: "image", source: { kind: "url", url: "https://x/z.png" } },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(body.input).toEqual([
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_image", image_url: "data:image/png;base64,AAA", detail: "auto" },
          { type: "input_image", image_url: "https://x/y.jpg", detail: "low" },
          { type: "input_file", file_data: "data:application/pdf;base64,JVB", filename: "a.pdf" },
          { type: "input_file", file_id: "file-1" },
        ],
      },
      {
        type: "function_call_output",
        call_id: "c",
        output: [
          { type: "input_text", text: "see" },
          { type: "input_image", image_url: "https://x/z.png", detail: "auto" },
        ],
      },
    ]);
  });

  it("writes tools flat with strict false unless asked, and a named tool choice as a function choice", () => {
    const body = codec.encodeRequest(
      baseRequest({
        tools: [{ name: "f", description: "d", parameters: { type: "object" } }],
        toolChoice: { type: "tool", name: "f" },
        parallelToolCalls: false,
      }),
    );
    expect(body.tools).toEqual([
      { type: "function", name: "f", description: "d", parameters: { type: "object" }, strict: false },
    ]);
    expect(body.tool_choice).toEqual({ type: "function", name: "f" });
    expect(body.parallel_tool_calls).toBe(false);
    expect(codec.encodeRequest(baseRequest({ toolChoice: { type: "none" } })).tool_choice).toBe("none");
  });

  it("writes response formats under text.format", () => {
    const schema = { type: "object", properties: {} };
    expect(
      codec.encodeRequest(
        baseRequest({ responseFormat: { type: "json_schema", name: "x", schema, strict: true } }),
      ).text,
    ).toEqual({ format: { type: "json_schema", name: "x", schema, strict: true } });
    expect(codec.encodeRequest(baseRequest({ responseFormat: { type: "json_object" } })).text).toEqual({
      format: { type: "json_object" },
    });
  });

  it("maps budgets to efforts, asks for encrypted reasoning, and sends none for reasoning off", () => {
    const budget = codec.encodeRequest(
      baseRequest({ reasoning: { budgetTokens: 16000, includeThoughts: true } }),
    );
    expect(budget.reasoning).toEqual({ effort: "high", summary: "auto" });
    expect(budget.include).toEqual(["reasoning.encrypted_content"]);
    const off = codec.encodeRequest(baseRequest({ reasoning: { enabled: false } }));
    expect(off.reasoning).toEqual({ effort: "none" });
    expect(off.include).toBeUndefined();
  });

  it("refuses stop sequences and several choices, which Responses cannot honour", () => {
    expect(
      wireError(() => codec.encodeRequest(baseRequest({ sampling: { stop: ["\n"] } }))).error.param,
    ).toBe("sampling.stop");
    expect(wireError(() => codec.encodeRequest(baseRequest({ sampling: { n: 2 } }))).error.param).toBe(
      "sampling.n",
    );
  });
});

describe("openai-responses decodeResponse", () => {
  it("reads text, ids and usage with cached tokens", () => {
    const response = codec.decodeResponse(jsonFixture("openai-responses", "response-text.json"));
    expect(response.id).toBe("resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b");
    expect(response.model).toBe("gpt-4.1-2025-04-14");
    expect(response.created).toBe(1741476542);
    expect(response.parts).toEqual([
      {
        type: "text",
        text: "In a peaceful grove beneath a silver moon, a unicorn named Lumina discovered a hidden pool that reflected the stars.",
      },
    ]);
    expect(response.stopReason).toBe("end_turn");
    expect(response.usage).toEqual({
      inputTokens: 36,
      outputTokens: 87,
      cachedInputTokens: 12,
      reasoningTokens: 0,
    });
  });

  it("reads parallel function calls by call_id and calls the stop a tool use", () => {
    const response = codec.decodeResponse(jsonFixture("openai-responses", "response-parallel-tools.json"));
    expect(response.parts).toEqual([
      {
        type: "tool_call",
        id: "call_unLAR8MvFNptuiZK6K6HCy5k",
        name: "get_weather",
        arguments: '{"location":"Paris, France"}',
      },
      {
        type: "tool_call",
        id: "call_7cYdYJpE3jcdUDLSKyzsB8Wx",
        name: "get_weather",
        arguments: '{"location":"Bogotá, Colombia"}',
      },
    ]);
    expect(response.stopReason).toBe("tool_use");
  });

  it("reads reasoning summaries as one reasoning part with its encrypted content", () => {
    const response = codec.decodeResponse(jsonFixture("openai-responses", "response-reasoning.json"));
    expect(response.parts[0]).toEqual({
      type: "reasoning",
      text: "**Counting letters**\n\nI spell out s-t-r-a-w-b-e-r-r-y.\n\n**Answering**\n\nThere are three.",
      itemId: "rs_6820f383d7c08191846711c5df8233bc0ac5ba57aafcbac7",
      encryptedContent: "gAAAAABoIPOE6rIa9",
    });
    expect(response.usage?.reasoningTokens).toBe(320);
  });

  it("reads incomplete for max_output_tokens as max_tokens, and a refusal as a refusal", () => {
    expect(codec.decodeResponse(jsonFixture("openai-responses", "response-length.json")).stopReason).toBe(
      "max_tokens",
    );
    const refusal = codec.decodeResponse(jsonFixture("openai-responses", "response-refusal.json"));
    expect(refusal.stopReason).toBe("refusal");
    expect(refusal.parts).toEqual([{ type: "text", text: "I'm sorry, I cannot assist with that request." }]);
  });

  it("answers a body that is no response object with a 502", () => {
    expect(wireError(() => codec.decodeResponse({ choices: [] })).error.status).toBe(502);
  });
});

describe("openai-responses encodeResponse", () => {
  it("writes the documented response object with the client's model and usage", () => {
    const body = codec.encodeResponse(baseResponse(), { model: "gpt-4.1" }) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: "response",
      created_at: 1741476542,
      status: "completed",
      error: null,
      incomplete_details: null,
      model: "gpt-4.1",
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 15,
      },
    });
    expect(String(body.id)).toStartWith("resp_");
    expect(body.output).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "Hello!", annotations: [] }],
      },
    ]);
  });

  it("writes reasoning, merged text and function calls as separate output items", () => {
    const body = codec.encodeResponse(
      baseResponse({
        parts: [
          { type: "reasoning", text: "hmm", encryptedContent: "enc" },
          { type: "text", text: "a" },
          { type: "text", text: "b" },
          { type: "tool_call", id: "call_1", name: "f", arguments: "{}" },
        ],
        stopReason: "tool_use",
      }),
      { model: "m" },
    ) as { output: Array<Record<string, unknown>>; status: string };
    expect(body.status).toBe("completed");
    expect(body.output.map((item) => item.type)).toEqual(["reasoning", "message", "function_call"]);
    expect(body.output[0]).toMatchObject({
      summary: [{ type: "summary_text", text: "hmm" }],
      encrypted_content: "enc",
    });
    expect(body.output[1]?.content).toEqual([
      { type: "output_text", text: "a", annotations: [] },
      { type: "output_text", text: "b", annotations: [] },
    ]);
    expect(body.output[2]).toMatchObject({
      call_id: "call_1",
      name: "f",
      arguments: "{}",
      status: "completed",
    });
  });

  it("writes a token-limit stop as incomplete with its reason", () => {
    const body = codec.encodeResponse(baseResponse({ stopReason: "max_tokens" }), { model: "m" });
    expect(body).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
  });

  it("keeps the parts of every response fixture through encode and decode", () => {
    for (const file of fixtureFiles("openai-responses", "response")) {
      const response = codec.decodeResponse(jsonFixture("openai-responses", file));
      const again = codec.decodeResponse(codec.encodeResponse(response, { model: response.model }));
      expect(again.parts).toEqual(response.parts);
      expect(again.stopReason).toBe(response.stopReason === "refusal" ? "end_turn" : response.stopReason);
      expect(again.usage?.inputTokens).toBe(response.usage?.inputTokens ?? 0);
    }
  });
});

describe("openai-responses errors", () => {
  it("uses OpenAI's error envelope", () => {
    expect(
      codec.encodeError({ type: "invalid_request", message: "bad", status: 400, param: "input" }),
    ).toEqual({
      status: 400,
      body: { error: { message: "bad", type: "invalid_request_error", param: "input", code: null } },
    });
  });

  it("reads OpenAI error bodies back", () => {
    const error = codec.decodeError(429, {
      error: { message: "slow down", type: "rate_limit_error", code: "rate_limit_exceeded" },
    });
    expect(error).toMatchObject({
      type: "rate_limit",
      message: "slow down",
      status: 429,
      code: "rate_limit_exceeded",
    });
  });
});
