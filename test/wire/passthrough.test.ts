import { describe, expect, it } from "bun:test";
import fc from "fast-check";
import { codecFor, DIALECTS, type Dialect } from "../../src/wire/index.ts";
import { rewriteModel, wholeStreamEvents } from "../../src/wire/passthrough.ts";
import { fixtureFiles, readFixture } from "./fixture-files.ts";

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

describe("wholeStreamEvents", () => {
  const text = new TextDecoder();
  /** The events the bytes complete (ids, made up when the stream has none, blanked). */
  const eventsOf = (dialect: Dialect, bytes: Uint8Array) =>
    codecFor(dialect)
      .decodeStream()
      .push(text.decode(bytes))
      .map((event) =>
        event.type === "start" || event.type === "tool_call_start" ? { ...event, id: "" } : event,
      );
  for (const dialect of DIALECTS) {
    for (const file of fixtureFiles(dialect, "stream").filter((name) => name !== "stream-json-array.txt")) {
      it(`holds back only the unfinished event of ${dialect} ${file}, at every byte`, () => {
        const bytes = new TextEncoder().encode(readFixture(dialect, file));
        for (let cut = 0; cut <= bytes.length; cut++) {
          const received = bytes.subarray(0, cut);
          const whole = received.subarray(0, wholeStreamEvents(dialect, received));
          if (whole.length > 0) expect(text.decode(whole)).toMatch(/[\r\n]$/);
          // Every event the bytes so far complete is in the whole part, and nothing of a later one.
          expect(eventsOf(dialect, whole)).toEqual(eventsOf(dialect, received));
        }
      });
    }
  }
});
