/**
 * The field a 400 names when an encoder refuses what the target dialect cannot carry: the
 * field of the client's request the IR came from (decoded by any dialect), else the IR's own
 * path (`messages[i].parts[j]`, `sampling.n`), by the convention errors.ts documents.
 */
import { describe, expect, it } from "bun:test";
import type { Codec } from "../../src/wire/codec.ts";
import { WireError } from "../../src/wire/errors.ts";
import { CODECS } from "../../src/wire/index.ts";
import type { Dialect, IRRequest } from "../../src/wire/ir.ts";

function refusal(target: Codec, request: IRRequest): string | undefined {
  try {
    target.encodeRequest(request);
  } catch (error) {
    if (error instanceof WireError) return error.error.param;
    throw error;
  }
  throw new Error("expected the encoder to refuse the request");
}

const translateRefusal = (client: Dialect, body: unknown, target: Dialect) =>
  refusal(CODECS[target], CODECS[client].decodeRequest(body, { model: "m" }));

const PDF = "data:application/pdf;base64,JVBERi0xLjQK";

describe("encoder refusals name the client's field", () => {
  it("counts the client's own messages, not the IR's, for parts", () => {
    const chat = {
      model: "m",
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "Summarise" },
            { type: "file", file: { filename: "a.pdf", file_data: PDF } },
          ],
        },
      ],
    };
    expect(translateRefusal("openai-chat", chat, "ollama")).toBe("messages[1].content[1]");
    const responses = {
      model: "m",
      input: [
        { role: "developer", content: "Be brief." },
        { role: "user", content: [{ type: "input_file", file_data: PDF }] },
      ],
    };
    expect(translateRefusal("openai-responses", responses, "ollama")).toBe("input[1].content[0]");
    const anthropic = {
      model: "m",
      max_tokens: 10,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Summarise" },
            { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBE" } },
          ],
        },
      ],
    };
    expect(translateRefusal("anthropic", anthropic, "ollama")).toBe("messages[0].content[1]");
  });

  it("names the client's spelling of tool-call arguments and the message of a tool result", () => {
    const chat = {
      model: "m",
      messages: [
        { role: "user", content: "hi" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "[1]" } }],
        },
      ],
    };
    expect(translateRefusal("openai-chat", chat, "gemini")).toBe(
      "messages[1].tool_calls[0].function.arguments",
    );
    const anthropic = {
      model: "m",
      max_tokens: 10,
      messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: [1] }] }],
    };
    expect(translateRefusal("anthropic", anthropic, "ollama")).toBe("messages[0].content[0].input");
    const responses = {
      model: "m",
      input: [{ type: "function_call", call_id: "c1", name: "f", arguments: "[1]" }],
    };
    expect(translateRefusal("openai-responses", responses, "anthropic")).toBe("input[0].arguments");
    // Gemini needs the function's name, which an answer to an unknown call lacks: the tool message is at fault.
    const unknownCall = {
      model: "m",
      messages: [
        { role: "user", content: "hi" },
        { role: "tool", tool_call_id: "nowhere", content: "42" },
      ],
    };
    expect(translateRefusal("openai-chat", unknownCall, "gemini")).toBe("messages[1]");
  });

  it("names each dialect's spelling of stop sequences and of several choices", () => {
    const stop: Array<[Dialect, unknown, string]> = [
      ["openai-chat", { model: "m", messages: [{ role: "user", content: "hi" }], stop: "x" }, "stop"],
      [
        "anthropic",
        { model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }], stop_sequences: ["x"] },
        "stop_sequences",
      ],
      [
        "gemini",
        { contents: [{ parts: [{ text: "hi" }] }], generationConfig: { stopSequences: ["x"] } },
        "generationConfig.stopSequences",
      ],
      [
        "ollama",
        { model: "m", messages: [{ role: "user", content: "hi" }], options: { stop: ["x"] } },
        "options.stop",
      ],
    ];
    for (const [client, body, param] of stop)
      expect(translateRefusal(client, body, "openai-responses")).toBe(param);
    const chatChoices = { model: "m", messages: [{ role: "user", content: "hi" }], n: 2 };
    expect(translateRefusal("openai-chat", chatChoices, "anthropic")).toBe("n");
    const geminiChoices = {
      contents: [{ parts: [{ text: "hi" }] }],
      generationConfig: { candidateCount: 2 },
    };
    expect(translateRefusal("gemini", geminiChoices, "ollama")).toBe("generationConfig.candidateCount");
  });

  it("still knows the client's fields after the request is copied shallowly, as the gateway does", () => {
    const decoded = CODECS["openai-chat"].decodeRequest({
      model: "m",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "file", file: { filename: "a.pdf", file_data: PDF } }] },
      ],
      n: 3,
    });
    const routed = { ...decoded, model: "upstream-model", sampling: decoded.sampling };
    expect(refusal(CODECS.ollama, routed)).toBe("messages[1].content[0]");
    expect(refusal(CODECS.anthropic, { ...routed, messages: [] })).toBe("n");
  });
});

describe("encoder refusals of IR no decoder produced name the IR's own path", () => {
  const request = (parts: IRRequest["messages"][number]["parts"], sampling: IRRequest["sampling"] = {}) => ({
    model: "m",
    system: [],
    messages: [{ role: "user" as const, parts: [{ type: "text" as const, text: "see" }, ...parts] }],
    sampling,
    stream: false,
  });

  it("is messages[i].parts[j] in every dialect, and .content[k] inside a tool result", () => {
    const zip = request([
      { type: "file", source: { kind: "base64", mediaType: "application/zip", data: "UEsD" } },
    ]);
    expect(refusal(CODECS.anthropic, zip)).toBe("messages[0].parts[1]");
    expect(refusal(CODECS.ollama, zip)).toBe("messages[0].parts[1]");
    const byUrl = request([{ type: "file", source: { kind: "url", url: "https://x.test/a.pdf" } }]);
    expect(refusal(CODECS["openai-chat"], byUrl)).toBe("messages[0].parts[1]");
    const foreign = request([
      { type: "file", source: { kind: "file_id", fileId: "file_011", store: "anthropic" } },
    ]);
    expect(refusal(CODECS.gemini, foreign)).toBe("messages[0].parts[1]");
    expect(refusal(CODECS["openai-responses"], foreign)).toBe("messages[0].parts[1]");
    const remoteImage = request([
      {
        type: "tool_result",
        toolCallId: "c1",
        name: "shot",
        content: [
          { type: "text", text: "taken" },
          { type: "image", source: { kind: "url", url: "https://x.test/s.png" } },
        ],
      },
    ]);
    expect(refusal(CODECS.ollama, remoteImage)).toBe("messages[0].parts[1].content[1]");
  });

  it("is sampling.<field> for sampling", () => {
    expect(refusal(CODECS.anthropic, request([], { n: 2 }))).toBe("sampling.n");
    expect(refusal(CODECS["openai-responses"], request([], { stop: ["x"] }))).toBe("sampling.stop");
  });
});
