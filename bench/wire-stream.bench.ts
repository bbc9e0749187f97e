/**
 * Hot-path cost of stream translation: an OpenAI chat stream (500 text deltas, the finish chunk,
 * the usage chunk, `[DONE]`, each frame arriving as its own network chunk of bytes) decoded and
 * re-encoded as an Anthropic stream; and, for comparison, the decoding alone that reads a
 * passthrough stream for its usage and ending over the same bytes, and the shadowed passthrough a
 * stream that may be continued elsewhere costs (whole events at a time, the client's encoder and
 * what-was-sent following it). Run: `node_modules/.bin/bun bench/wire-stream.bench.ts`. Target: < 5 µs per chunk.
 */
import { AnswerSoFar } from "../src/gateway/continuation.ts";
import { anthropicCodec, openaiChatCodec, wholeStreamEvents } from "../src/wire/index.ts";

const DELTAS = 500;
const WARMUP_RUNS = 200;
const MEASURED_RUNS = 1000;
const TARGET_MICROSECONDS = 5;

function openaiChatStream(): Uint8Array[] {
  const head =
    '{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,' +
    '"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":';
  const words = [
    "The",
    " quick",
    " brown",
    " fox",
    " jumps",
    " over",
    " the",
    " lazy",
    " dog",
    ",",
    " and",
    " then",
  ];
  const frames = [
    `data: ${head}{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`,
  ];
  for (let i = 0; i < DELTAS; i++) {
    const word = JSON.stringify(words[i % words.length]);
    frames.push(`data: ${head}{"content":${word}},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`);
  }
  frames.push(`data: ${head}{},"logprobs":null,"finish_reason":"stop"}],"usage":null}\n\n`);
  frames.push(
    'data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,' +
      '"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[],' +
      '"usage":{"prompt_tokens":1117,"completion_tokens":501,"total_tokens":1618,"prompt_tokens_details":{"cached_tokens":1024,' +
      '"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}}}\n\n',
  );
  frames.push("data: [DONE]\n\n");
  const encoder = new TextEncoder();
  return frames.map((frame) => encoder.encode(frame));
}

/** Translate the whole stream once; returns the output length so the work cannot be optimised away. */
function translate(chunks: Uint8Array[]): number {
  const decoder = openaiChatCodec.decodeStream();
  const encoder = anthropicCodec.encodeStream({ model: "claude-sonnet-4-5" });
  let written = 0;
  for (const chunk of chunks) for (const event of decoder.push(chunk)) written += encoder.push(event).length;
  for (const event of decoder.end()) written += encoder.push(event).length;
  return written + encoder.end().length;
}

/** What a passthrough stream costs the gateway: the decoder reading alongside the bytes. */
function observe(chunks: Uint8Array[]): number {
  const decoder = openaiChatCodec.decodeStream();
  let events = 0;
  for (const chunk of chunks) events += decoder.push(chunk).length;
  return events + decoder.end().length;
}

/** A passthrough that may be continued: cut at whole events, decoded, shadowed by the client's encoder. */
function shadow(chunks: Uint8Array[]): number {
  const decoder = openaiChatCodec.decodeStream();
  const encoder = openaiChatCodec.encodeStream({ model: "gpt-4o" });
  const sofar = new AnswerSoFar(false);
  let whole = 0;
  for (const chunk of chunks) {
    whole += wholeStreamEvents("openai-chat", chunk);
    for (const event of decoder.push(chunk)) {
      encoder.push(event);
      sofar.observe(event);
    }
  }
  return whole + decoder.end().length + sofar.text.length;
}

interface Measurement {
  medianMicrosecondsPerChunk: number;
  p95MicrosecondsPerChunk: number;
  megabytesPerSecond: number;
}

function measure(run: (chunks: Uint8Array[]) => number, chunks: Uint8Array[]): Measurement {
  let sink = 0;
  for (let i = 0; i < WARMUP_RUNS; i++) sink += run(chunks);
  const perRun: number[] = [];
  for (let i = 0; i < MEASURED_RUNS; i++) {
    const started = performance.now();
    sink += run(chunks);
    perRun.push(performance.now() - started);
  }
  if (sink === 0) throw new Error("the benchmark produced nothing");
  perRun.sort((a, b) => a - b);
  const median = perRun[Math.floor(perRun.length / 2)] ?? 0;
  const p95 = perRun[Math.floor(perRun.length * 0.95)] ?? 0;
  const bytes = chunks.reduce((total, chunk) => total + chunk.byteLength, 0);
  return {
    medianMicrosecondsPerChunk: (median * 1000) / chunks.length,
    p95MicrosecondsPerChunk: (p95 * 1000) / chunks.length,
    megabytesPerSecond: bytes / 1e6 / (median / 1000),
  };
}

const chunks = openaiChatStream();
const bytes = chunks.reduce((total, chunk) => total + chunk.byteLength, 0);
const translation = measure(translate, chunks);
const passthrough = measure(observe, chunks);
const shadowed = measure(shadow, chunks);

const format = (value: number) => value.toFixed(2);
console.log(
  `input: ${chunks.length} chunks, ${bytes} bytes; ${WARMUP_RUNS} warm-up runs, ${MEASURED_RUNS} measured`,
);
console.log(
  `openai-chat → anthropic stream: ${format(translation.medianMicrosecondsPerChunk)} µs/chunk median, ` +
    `${format(translation.p95MicrosecondsPerChunk)} µs/chunk p95, ${format(translation.megabytesPerSecond)} MB/s`,
);
console.log(
  `passthrough decode (openai-chat): ${format(passthrough.medianMicrosecondsPerChunk)} µs/chunk median, ` +
    `${format(passthrough.p95MicrosecondsPerChunk)} µs/chunk p95, ${format(passthrough.megabytesPerSecond)} MB/s`,
);
console.log(
  `shadowed passthrough (openai-chat, may be continued): ${format(shadowed.medianMicrosecondsPerChunk)} µs/chunk median, ` +
    `${format(shadowed.p95MicrosecondsPerChunk)} µs/chunk p95, ${format(shadowed.megabytesPerSecond)} MB/s`,
);
const verdict = translation.medianMicrosecondsPerChunk < TARGET_MICROSECONDS ? "PASS" : "FAIL";
console.log(
  `summary: ${verdict} translation ${format(translation.medianMicrosecondsPerChunk)} µs/chunk ` +
    `(target < ${TARGET_MICROSECONDS} µs), passthrough decode ${format(passthrough.medianMicrosecondsPerChunk)} µs/chunk, ` +
    `shadowed ${format(shadowed.medianMicrosecondsPerChunk)} µs/chunk`,
);
