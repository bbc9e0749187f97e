/**
 * Stream decoders must not care where the network cuts the bytes: every stream fixture of every
 * dialect gives the same events whole, cut in two at every byte, and cut at random places.
 */
import { afterAll, beforeAll, describe, expect, it, mock, spyOn } from "bun:test";
import fc from "fast-check";
import { CODECS } from "../../src/wire/index.ts";
import { DIALECTS, type Dialect, type IRStreamEvent } from "../../src/wire/ir.ts";
import { decodeChunks, fixtureFiles, readFixture, splitAt, withStableIds } from "./fixture-files.ts";

// Decoders that find no timestamp in the stream use the clock; a second ticking over between two decodes is no chunking bug.
beforeAll(() => spyOn(Date, "now").mockReturnValue(Date.UTC(2025, 0, 1)));
afterAll(() => mock.restore());

const STREAMS = DIALECTS.flatMap((dialect) =>
  fixtureFiles(dialect, "stream").map((file) => ({ dialect, file, label: `${dialect}/${file}` })),
);

function decode(dialect: Dialect, chunks: Array<string | Uint8Array>): IRStreamEvent[] {
  return withStableIds(decodeChunks(CODECS[dialect].decodeStream(), chunks));
}

describe("stream decoding at any chunking", () => {
  it.each(STREAMS)("decodes $label the same as bytes and as text", ({ dialect, file }) => {
    const text = readFixture(dialect, file);
    expect(decode(dialect, [new TextEncoder().encode(text)])).toEqual(decode(dialect, [text]));
  });

  it.each(STREAMS)("decodes $label the same when cut in two at every byte", ({ dialect, file }) => {
    const bytes = new TextEncoder().encode(readFixture(dialect, file));
    const whole = decode(dialect, [bytes]);
    for (let split = 0; split <= bytes.length; split++) {
      expect(decode(dialect, splitAt(bytes, [split]))).toEqual(whole);
    }
  });

  it.each(STREAMS)("decodes $label the same when cut at random places", ({ dialect, file }) => {
    const bytes = new TextEncoder().encode(readFixture(dialect, file));
    const whole = decode(dialect, [bytes]);
    const cuts = fc.uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 });
    fc.assert(
      fc.property(cuts, (positions) => {
        expect(
          decode(
            dialect,
            splitAt(
              bytes,
              [...positions].sort((a, b) => a - b),
            ),
          ),
        ).toEqual(whole);
      }),
      { numRuns: 60 },
    );
  });

  it.each(STREAMS)("decodes $label the same fed one byte at a time", ({ dialect, file }) => {
    const bytes = new TextEncoder().encode(readFixture(dialect, file));
    const positions = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(decode(dialect, splitAt(bytes, positions))).toEqual(decode(dialect, [bytes]));
  });
});
