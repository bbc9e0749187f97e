/**
 * Web-stream adapters over the synchronous stream codecs, for the gateway: upstream bytes →
 * IR events, and IR events → client bytes.
 */
import type { StreamDecoder, StreamEncoder } from "./codec.ts";
import type { IRStreamEvent } from "./ir.ts";

export function decoderStream(decoder: StreamDecoder): TransformStream<Uint8Array, IRStreamEvent> {
  return new TransformStream({
    transform(chunk, controller) {
      for (const event of decoder.push(chunk)) controller.enqueue(event);
    },
    flush(controller) {
      for (const event of decoder.end()) controller.enqueue(event);
    },
  });
}

export function encoderStream(encoder: StreamEncoder): TransformStream<IRStreamEvent, Uint8Array> {
  const bytes = new TextEncoder();
  return new TransformStream({
    transform(event, controller) {
      const text = encoder.push(event);
      if (text !== "") controller.enqueue(bytes.encode(text));
    },
    flush(controller) {
      const text = encoder.end();
      if (text !== "") controller.enqueue(bytes.encode(text));
    },
  });
}
