/**
 * POST /v1/audio/speech in OpenAI's shape, to OpenAI-style upstreams: the body goes as it came
 * (model rewritten) and the audio streams back as the upstream sends it, with its content type.
 * The call is billed by the characters of its input, counted as code points (an emoji is one).
 */
import { asSent, type MediaOperation, requiredString } from "./call.ts";

interface SpeechInput {
  body: Record<string, unknown>;
  input: string;
}

export const speech: MediaOperation<SpeechInput> = {
  api: "speech",
  read: (body) => ({ body, input: requiredString(body, "input") }),
  encode: (input, route, target) => asSent(input.body, route, target),
  inputText: (input) => input.input,
  requestUnits: (input) => ({ characters: [...input.input].length }),
};
