/**
 * Cross-dialect goldens: every client dialect × every target dialect, for requests (client
 * fixture → IR → target body), responses (target fixture → IR → client body) and streams
 * (target stream → IR events → client stream). Outputs are compared with the committed files
 * under test/wire/golden/<client>__<target>/; `UPDATE_GOLDEN=1 bun test test/wire/golden.test.ts`
 * rewrites them (review the diff: a golden is only as right as the eye that checked it).
 *
 * Made-up ids and timestamps are pinned (seeded `crypto.getRandomValues`, fixed `Date.now`)
 * so that the outputs are reproducible.
 */
import { afterAll, beforeAll, describe, expect, it, mock, spyOn } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EncodeContext, RequestContext } from "../../src/wire/codec.ts";
import { WireError } from "../../src/wire/errors.ts";
import { CODECS } from "../../src/wire/index.ts";
import { DIALECTS, type Dialect } from "../../src/wire/ir.ts";
import {
  caseName,
  decodeChunks,
  encodeEvents,
  fixtureFiles,
  jsonFixture,
  readFixture,
} from "./fixture-files.ts";

const GOLDEN = join(import.meta.dir, "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const NOW = Date.UTC(2025, 0, 1);
/** What the client asked for, as the gateway would pass it on. */
const CLIENT_MODEL = "client-model";

/** Gemini's model and streaming live in the URL; the other dialects' bodies say them. */
function requestContext(dialect: Dialect): RequestContext {
  return dialect === "gemini" ? { model: "gemini-2.5-flash", stream: false } : {};
}

const ENCODE_CONTEXT: EncodeContext = { model: CLIENT_MODEL, includeUsage: true, framing: "sse" };

let seed = 1;
/** A small deterministic generator (mulberry32) behind `crypto.getRandomValues`. */
function nextRandom(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (t ^ (t >>> 14)) >>> 0;
}

beforeAll(() => {
  spyOn(Date, "now").mockReturnValue(NOW);
  spyOn(crypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
    if (array !== null) {
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      for (let i = 0; i < bytes.length; i++) bytes[i] = nextRandom() & 0xff;
    }
    return array;
  });
});

// Spies outlive a test file in bun's shared process; the other files must see the real clock and randomness.
afterAll(() => mock.restore());

/** What a translation produced: the encoded text, or the error it was refused with. */
function outcome(translate: () => string): string {
  seed = 1;
  try {
    return translate();
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    return `${JSON.stringify({ error: error.error }, null, 2)}\n`;
  }
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

interface GoldenCase {
  client: Dialect;
  target: Dialect;
  file: string;
  produce: () => string;
}

function cases(): GoldenCase[] {
  const all: GoldenCase[] = [];
  for (const client of DIALECTS) {
    for (const target of DIALECTS) {
      for (const file of fixtureFiles(client, "request")) {
        all.push({
          client,
          target,
          file,
          produce: () =>
            json(
              CODECS[target].encodeRequest(
                CODECS[client].decodeRequest(jsonFixture(client, file), requestContext(client)),
              ),
            ),
        });
      }
      for (const file of fixtureFiles(target, "response")) {
        all.push({
          client,
          target,
          file,
          produce: () =>
            json(
              CODECS[client].encodeResponse(
                CODECS[target].decodeResponse(jsonFixture(target, file)),
                ENCODE_CONTEXT,
              ),
            ),
        });
      }
      for (const file of fixtureFiles(target, "stream")) {
        all.push({
          client,
          target,
          file,
          produce: () =>
            encodeEvents(
              CODECS[client].encodeStream(ENCODE_CONTEXT),
              decodeChunks(CODECS[target].decodeStream(), [readFixture(target, file)]),
            ),
        });
      }
    }
  }
  return all;
}

function goldenPath({ client, target, file }: GoldenCase): string {
  const kind = file.slice(0, file.indexOf("-"));
  const extension = kind === "stream" ? "txt" : "json";
  return join(GOLDEN, `${client}__${target}`, `${kind}-${caseName(file)}.${extension}`);
}

const ALL = cases();

describe("cross-dialect goldens", () => {
  it.each(ALL.map((each) => ({ ...each, label: `${each.client}__${each.target}/${each.file}` })))(
    "translates $label as the golden says",
    (golden) => {
      const produced = outcome(golden.produce);
      const path = goldenPath(golden);
      if (UPDATE) {
        mkdirSync(join(path, ".."), { recursive: true });
        writeFileSync(path, produced);
        return;
      }
      if (!existsSync(path))
        throw new Error(`no golden at ${path}; run UPDATE_GOLDEN=1 bun test test/wire/golden.test.ts`);
      expect(produced).toBe(readFileSync(path, "utf8"));
    },
  );

  it("keeps no golden whose fixture is gone", () => {
    const expected = new Set(ALL.map(goldenPath));
    const stale: string[] = [];
    for (const folder of existsSync(GOLDEN) ? readdirSync(GOLDEN) : []) {
      for (const file of readdirSync(join(GOLDEN, folder))) {
        const path = join(GOLDEN, folder, file);
        if (expected.has(path)) continue;
        if (UPDATE) rmSync(path);
        else stale.push(path);
      }
    }
    expect(stale).toEqual([]);
  });
});
