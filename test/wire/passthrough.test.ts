import { describe, expect, it } from "bun:test";
import fc from "fast-check";
import { CODECS } from "../../src/wire/index.ts";
import { DIALECTS, type IRStreamEvent } from "../../src/wire/ir.ts";
import { rewriteModel, type TapResult, tapStream, usageTap } from "../../src/wire/passthrough.ts";
import { decodeChunks, encodeEvents, fixtureFiles, readFixture, splitAt } from "./fixture-files.ts";

describe("rewriteModel", () => {
  it("replaces only the top-level model value and keeps every other byte", () => {
    const body =
      '{\n  "stream" : true,\n  "model":"gpt-4o" ,\n  "temperature": 1.0,\n  "n": 1e2,\n  "x_custom": {"keep": [1, 2.50]}\n}';
    expect(rewriteModel(body, "claude-sonnet")).toBe(
      '{\n  "stream" : true,\n  "model":"claude-sonnet" ,\n  "temperature": 1.0,\n  "n": 1e2,\n  "x_custom": {"keep": [1, 2.50]}\n}',
    );
  });

  it("leaves nested model keys alone, before and after the top-level one", () => {
    const body =
      '{"metadata":{"model":"inner"},"messages":[{"role":"user","content":"{\\"model\\": \\"fake\\"}","model":"m"}],"model":"outer","tools":[{"model":"t"}]}';
    const rewritten = rewriteModel(body, "new");
    expect(rewritten).toBe(body.replace('"model":"outer"', '"model":"new"'));
    expect(JSON.parse(rewritten).metadata.model).toBe("inner");
  });

  it("finds a model key spelt with escapes and skips strings with escaped quotes and brackets", () => {
    const body = '{"note":"a \\"quoted\\" } ] { [ \\\\","\\u006dodel":"old","after":null}';
    expect(JSON.parse(rewriteModel(body, "new"))).toEqual({
      note: 'a "quoted" } ] { [ \\',
      model: "new",
      after: null,
    });
  });

  it("replaces a model value that is not a string", () => {
    expect(rewriteModel('{"model": {"name": "x"}, "a": 1}', "m")).toBe('{"model": "m", "a": 1}');
    expect(rewriteModel('{"model":null}', "m")).toBe('{"model":"m"}');
  });

  it("escapes the new model name as JSON", () => {
    expect(JSON.parse(rewriteModel('{"model":"a"}', 'we"ird\\name\n')).model).toBe('we"ird\\name\n');
  });

  it("replaces every top-level model when the key repeats", () => {
    expect(rewriteModel('{"model":"a","x":1,"model":"b"}', "c")).toBe('{"model":"c","x":1,"model":"c"}');
  });

  it("returns bodies without a top-level model, or that are no JSON object, unchanged", () => {
    for (const body of [
      '{"messages":[{"model":"x"}]}',
      "{}",
      " { } ",
      "[]",
      '"model"',
      '{"model":"a"',
      '{"model" "a"}',
      '{"model":"a"} trailing',
      "",
    ]) {
      expect(rewriteModel(body, "new")).toBe(body);
    }
  });

  it("leaves every truncation of a body unchanged, wherever the cut falls", () => {
    const body =
      '{"model":"gpt-4o","messages":[{"role":"user","content":"say \\"}\\" please"}],"metadata":{"model":"x"}}';
    for (let cut = 0; cut < body.length; cut++) {
      const prefix = body.slice(0, cut);
      expect(rewriteModel(prefix, "new")).toBe(prefix);
    }
    expect(JSON.parse(rewriteModel(body, "new")).model).toBe("new");
  });

  it("tolerates a byte-order mark and surrounding whitespace", () => {
    expect(rewriteModel('\uFEFF \n{"model":"a"}\n', "b")).toBe('\uFEFF \n{"model":"b"}\n');
  });

  it("gives the same object with the new model for any JSON object, however formatted", () => {
    const key = fc.oneof(fc.constant("model"), fc.string());
    const body = fc.dictionary(key, fc.jsonValue(), { maxKeys: 8 });
    fc.assert(
      fc.property(body, fc.constantFrom(0, 1, 2, "\t"), fc.string(), (object, indent, model) => {
        const text = JSON.stringify(object, null, indent);
        const rewritten = rewriteModel(text, model);
        if (!Object.hasOwn(object, "model")) {
          expect(rewritten).toBe(text);
          return;
        }
        expect(JSON.parse(rewritten)).toEqual(JSON.parse(JSON.stringify({ ...object, model })));
        const original = object.model;
        if (typeof original === "string") expect(rewriteModel(rewritten, original)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

/** The usage and stop reason a full decode of the stream reports. */
function decodedOutcome(events: IRStreamEvent[]): TapResult {
  const outcome: TapResult = {};
  for (const event of events) {
    if (event.type === "usage" || (event.type === "start" && event.usage !== undefined))
      outcome.usage = event.usage;
    if (event.type === "finish") {
      if (event.usage !== undefined) outcome.usage = event.usage;
      outcome.stopReason = event.stopReason;
    }
  }
  return outcome;
}

function tapChunks(dialect: (typeof DIALECTS)[number], chunks: Array<Uint8Array | string>): TapResult {
  const tap = usageTap(dialect);
  for (const chunk of chunks) tap.push(chunk);
  tap.end();
  return tap.result();
}

const STREAMS = DIALECTS.flatMap((dialect) =>
  fixtureFiles(dialect, "stream").map((file) => ({ dialect, file, label: `${dialect}/${file}` })),
);

/** The streams that end normally, with the events their decoder gives. */
const FINISHED = STREAMS.map((each) => ({
  ...each,
  events: decodeChunks(CODECS[each.dialect].decodeStream(), [readFixture(each.dialect, each.file)]),
})).filter(({ events }) => events.some((event) => event.type === "finish"));

describe("usageTap", () => {
  it.each(FINISHED)(
    "finds in $label the usage and stop reason the full decoder finds",
    ({ dialect, file, events }) => {
      const expected = decodedOutcome(events);
      const found = tapChunks(dialect, [readFixture(dialect, file)]);
      expect(found.usage).toEqual(expected.usage);
      expect(found.stopReason).toBe(expected.stopReason);
    },
  );

  it.each(STREAMS)("finds the same in $label at every byte split", ({ dialect, file }) => {
    const bytes = new TextEncoder().encode(readFixture(dialect, file));
    const whole = tapChunks(dialect, [bytes]);
    for (let split = 1; split < bytes.length; split++) {
      expect(tapChunks(dialect, splitAt(bytes, [split]))).toEqual(whole);
    }
  });

  it("reads Gemini's JSON-array framing too", () => {
    for (const file of fixtureFiles("gemini", "stream")) {
      const events = decodeChunks(CODECS.gemini.decodeStream(), [readFixture("gemini", file)]);
      if (!events.some((event) => event.type === "finish")) continue;
      const array = encodeEvents(
        CODECS.gemini.encodeStream({ model: "gemini-x", framing: "json-array" }),
        events,
      );
      const bytes = new TextEncoder().encode(array);
      const whole = usageTap("gemini");
      whole.push(bytes);
      whole.end();
      expect(whole.result().usage).toEqual(decodedOutcome(events).usage);
      for (let split = 1; split < bytes.length; split++) {
        const tap = usageTap("gemini");
        for (const chunk of splitAt(bytes, [split])) tap.push(chunk);
        tap.end();
        expect(tap.result()).toEqual(whole.result());
      }
    }
  });

  it("parses only the frames that can carry usage or the stop reason", () => {
    const head =
      '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":';
    let stream = `data: ${head}{"role":"assistant","content":""},"finish_reason":null}],"usage":null}\n\n`;
    for (let i = 0; i < 500; i++) {
      stream += `data: ${head}{"content":"word ${i} says \\"usage\\": {"},"finish_reason":null}],"usage":null}\n\n`;
    }
    stream += `data: ${head}{},"finish_reason":"stop"}],"usage":null}\n\n`;
    stream += `data: {"id":"c","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":500,"total_tokens":510}}\n\n`;
    stream += "data: [DONE]\n\n";
    const parse = JSON.parse;
    let parses = 0;
    JSON.parse = (...args: Parameters<typeof JSON.parse>) => {
      parses++;
      return parse(...args);
    };
    let found: TapResult;
    try {
      found = tapChunks("openai-chat", stream.match(/[\s\S]{1,97}/g) ?? []);
    } finally {
      JSON.parse = parse;
    }
    expect(parses).toBe(2);
    expect(found).toEqual({ usage: { inputTokens: 10, outputTokens: 500 }, stopReason: "end_turn" });
  });

  it("passes the bytes through a web stream untouched and reports at the end", async () => {
    const bytes = new TextEncoder().encode(readFixture("ollama", "stream-text.txt"));
    let reported: TapResult | undefined;
    const out = new Blob([bytes.subarray(0, 7), bytes.subarray(7)])
      .stream()
      .pipeThrough(tapStream(usageTap("ollama"), (result) => (reported = result)));
    expect(new Uint8Array(await new Response(out).arrayBuffer())).toEqual(bytes);
    expect(reported).toEqual({ usage: { inputTokens: 26, outputTokens: 282 }, stopReason: "end_turn" });
  });

  it("reports nothing for a stream that never carried usage", () => {
    expect(tapChunks("anthropic", ['event: ping\ndata: {"type": "ping"}\n\n'])).toEqual({
      usage: undefined,
      stopReason: undefined,
    });
  });
});
