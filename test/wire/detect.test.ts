import { describe, expect, it } from "bun:test";
import { detect } from "../../src/wire/detect.ts";
import { CODECS } from "../../src/wire/index.ts";
import { DIALECTS, type Dialect } from "../../src/wire/ir.ts";
import { fixtureFiles, jsonFixture, withStableIds } from "./fixture-files.ts";

const PATHS: Record<Dialect, string> = {
  "openai-chat": "/v1/chat/completions",
  "openai-responses": "/v1/responses",
  anthropic: "/v1/messages",
  gemini: "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
  ollama: "/api/chat",
};

const REQUESTS = DIALECTS.flatMap((dialect) =>
  fixtureFiles(dialect, "request").map((file) => ({ dialect, file, label: `${dialect}/${file}` })),
);

/**
 * What a dialect's codec understands the body to ask for, or undefined when it refuses it.
 * Whether usage comes at the end of a stream is how the dialect reports, not what is asked.
 */
function meaningAs(dialect: Dialect, body: unknown): unknown {
  try {
    const { streamUsage: _reporting, ...request } = CODECS[dialect].decodeRequest(body, {
      model: "from-path",
    });
    return withStableIds(request);
  } catch {
    return undefined;
  }
}

describe("detect", () => {
  it.each(REQUESTS)("names the dialect of $label from its path", ({ dialect, file }) => {
    expect(detect(jsonFixture(dialect, file), PATHS[dialect])).toBe(dialect);
  });

  it.each(REQUESTS)(
    "reads $label from its body alone as its dialect, or as one that means the same",
    ({ dialect, file }) => {
      const body = jsonFixture(dialect, file);
      const detected = detect(body);
      expect(detected).toBeDefined();
      if (detected === dialect) return;
      // A body valid in both dialects (a bare model + messages) may go either way, but only if nothing changes.
      expect(meaningAs(detected!, body)).toEqual(meaningAs(dialect, body));
    },
  );

  it("lets path hints win over the body and ignores the query string", () => {
    const chatBody = { model: "m", messages: [{ role: "user", content: "hi" }] };
    expect(detect(chatBody, "/v1/messages")).toBe("anthropic");
    expect(detect(chatBody, "/v1/messages/count_tokens")).toBe("anthropic");
    expect(detect(chatBody, "/v1beta/models/gemini-pro:generateContent?key=x")).toBe("gemini");
    expect(detect(chatBody, "/api/chat")).toBe("ollama");
    expect(detect(chatBody, "/openai/v1/responses")).toBe("openai-responses");
    expect(detect(chatBody, "/v1/chat/completions")).toBe("openai-chat");
    expect(detect({ contents: [] }, "/somewhere?path=/api/chat")).toBe("gemini");
  });

  it.each([
    [{ contents: [{ role: "user", parts: [{ text: "hi" }] }] }, "gemini"],
    [{ model: "m", input: "hi" }, "openai-responses"],
    [{ model: "m", instructions: "be brief", input: [] }, "openai-responses"],
    [{ model: "m", system: "be brief", max_tokens: 10, messages: [] }, "anthropic"],
    [{ model: "m", system: [{ type: "text", text: "x" }], messages: [] }, "anthropic"],
    [
      {
        model: "m",
        max_tokens: 10,
        messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "42" }] }],
      },
      "anthropic",
    ],
    [
      {
        model: "m",
        max_tokens: 10,
        messages: [
          {
            role: "user",
            content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "x" } }],
          },
        ],
      },
      "anthropic",
    ],
    [{ model: "m", messages: [], tools: [{ name: "f", input_schema: { type: "object" } }] }, "anthropic"],
    [{ model: "m", messages: [{ role: "user", content: "hi" }], options: { temperature: 0 } }, "ollama"],
    [{ model: "m", messages: [{ role: "user", content: "hi" }], format: "json" }, "ollama"],
    [{ model: "m", messages: [{ role: "user", content: "hi" }], keep_alive: "5m" }, "ollama"],
    [{ model: "m", messages: [{ role: "user", content: "?", images: ["iVBOR"] }] }, "ollama"],
    [{ model: "m", messages: [{ role: "tool", tool_name: "f", content: "1" }] }, "ollama"],
    [{ model: "m", messages: [{ role: "user", content: "hi" }] }, "openai-chat"],
    [{ model: "m", max_tokens: 100, messages: [{ role: "user", content: "hi" }] }, "anthropic"],
    [
      {
        model: "m",
        max_tokens: 100,
        messages: [{ role: "user", content: "hi" }],
        metadata: { user_id: "u" },
      },
      "anthropic",
    ],
    [
      {
        model: "m",
        max_tokens: 100,
        messages: [{ role: "user", content: "hi" }],
        tool_choice: { type: "any" },
      },
      "anthropic",
    ],
    [
      {
        model: "m",
        max_tokens: 100,
        messages: [
          { role: "system", content: "x" },
          { role: "user", content: "hi" },
        ],
      },
      "openai-chat",
    ],
    [{ model: "m", max_tokens: 100, messages: [{ role: "user", content: "hi" }], seed: 1 }, "openai-chat"],
    [
      {
        model: "m",
        max_tokens: 100,
        messages: [{ role: "user", content: "hi" }],
        tool_choice: { type: "function", function: { name: "f" } },
      },
      "openai-chat",
    ],
    [
      {
        model: "m",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }],
        max_tokens: 5,
      },
      "openai-chat",
    ],
  ])("reads %j as %s", (body, dialect) => {
    expect(detect(body)).toBe(dialect as Dialect);
  });

  it("gives up on bodies that are no request", () => {
    expect(detect(undefined)).toBeUndefined();
    expect(detect("hello")).toBeUndefined();
    expect(detect([1, 2])).toBeUndefined();
    expect(detect({ model: "m" })).toBeUndefined();
  });
});
