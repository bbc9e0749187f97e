/**
 * POST /v1/moderations in OpenAI's shape, to OpenAI-style upstreams. `model` is optional in
 * OpenAI's API, so a request without one is routed as `omni-moderation-latest`, OpenAI's default.
 */
import { WireError } from "../../wire/index.ts";
import { BodyTooLarge, readBody } from "../body.ts";
import { asSent, type MediaOperation, withBody } from "./call.ts";

const DEFAULT_MODEL = "omni-moderation-latest";

interface ModerationInput {
  body: Record<string, unknown>;
}

export const moderations: MediaOperation<ModerationInput> = {
  api: "moderations",
  async preread(request, maxBodyBytes) {
    let text: string;
    try {
      text = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge)
        return { type: "request_too_large", message: error.message, status: 413 };
      throw error;
    }
    // A body that is not a JSON object goes on as it came, for prepareCall to refuse.
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { request: withBody(request, text) };
    }
    const object = typeof body === "object" && body !== null && !Array.isArray(body) ? body : undefined;
    const needsModel = object !== undefined && !("model" in object);
    return {
      request: withBody(request, needsModel ? JSON.stringify({ ...object, model: DEFAULT_MODEL }) : text),
    };
  },
  read(body) {
    if (body.input === undefined)
      throw new WireError("invalid_request", "input: required", { param: "input" });
    return { body };
  },
  encode: (input, route, target) => asSent(input.body, route, target),
  decode: (_input, _route, upstream) => {
    // Passed through as it came, once it is known to be JSON (else the upstream is malformed).
    JSON.parse(upstream.text);
    return { body: upstream.text, contentType: "application/json" };
  },
  inputText: (input) => JSON.stringify(input.body.input),
};
