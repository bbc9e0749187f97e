/**
 * POST /v1/audio/transcriptions in OpenAI's shape, to OpenAI-style upstreams. The multipart
 * upload is read once by Bun's own parser (measured: a hand-made parse into one buffer and a
 * streamed upstream body held more memory, not less); its text fields become the JSON body the
 * pipeline checks and logs, and each attempt sends a new form around the same File. The
 * answer goes back as the upstream wrote it in the `response_format` asked for: JSON for json and
 * verbose_json, text for text, srt and vtt. The call is billed by the audio's duration where the
 * upstream reports it (whisper-1's usage seconds, verbose_json's `duration`); a text answer
 * reports none, and none is guessed.
 */
import { type IRUsage, WireError } from "../../wire/index.ts";
import { type MediaOperation, withBody } from "./call.ts";

const RESPONSE_FORMATS = ["json", "text", "srt", "verbose_json", "vtt"];

/** Text fields; a repeated one keeps every value. */
type Fields = Record<string, string | string[]>;

interface TranscriptionInput {
  fields: Fields;
  file: File;
  responseFormat: string;
}

export const transcriptions: MediaOperation<TranscriptionInput> = {
  api: "transcriptions",
  async preread(request, maxBodyBytes) {
    if (Number(request.headers.get("content-length") ?? 0) > maxBodyBytes)
      return {
        type: "request_too_large",
        message: `The upload is larger than ${maxBodyBytes} bytes`,
        status: 413,
      };
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      return {
        type: "invalid_request",
        message: "The body must be multipart/form-data with the audio as `file` and a `model`",
        status: 400,
      };
    }
    const fields: Fields = {};
    const files = new Map<string, File>();
    form.forEach((value, name) => {
      if (typeof value !== "string") files.set(name, value);
      else {
        // Repeated fields (timestamp_granularities[]) keep every value.
        const earlier = fields[name];
        fields[name] = earlier === undefined ? value : [earlier, value].flat();
      }
    });
    return { request: withBody(request, JSON.stringify(fields)), files };
  },
  read(body, files) {
    const file = files.get("file");
    if (!file)
      throw new WireError("invalid_request", "file: required, the audio to transcribe", { param: "file" });
    if (body.stream === "true")
      throw new WireError("invalid_request", "stream: streamed transcripts are not served; omit stream", {
        param: "stream",
      });
    const responseFormat = body.response_format ?? "json";
    if (typeof responseFormat !== "string" || !RESPONSE_FORMATS.includes(responseFormat))
      throw new WireError("invalid_request", `response_format: one of ${RESPONSE_FORMATS.join(", ")}`, {
        param: "response_format",
      });
    return { fields: body as Fields, file, responseFormat };
  },
  encode(input, route, target) {
    const fields = { ...input.fields, model: target.model };
    const form = new FormData();
    for (const [name, value] of Object.entries(fields))
      for (const each of [value].flat()) form.append(name, each);
    form.append("file", input.file, input.file.name);
    const file = { name: input.file.name, type: input.file.type, size: input.file.size };
    return { url: route.url, body: form, logged: JSON.stringify({ ...fields, file }) };
  },
  decode(input, _route, upstream) {
    const json = input.responseFormat === "json" || input.responseFormat === "verbose_json";
    const contentType = upstream.headers.get("content-type") ?? (json ? "application/json" : "text/plain");
    if (!json) return { body: upstream.text, contentType, outputText: upstream.text };
    const answer = JSON.parse(upstream.text) as {
      text?: string;
      duration?: number;
      usage?: TranscriptionUsage;
    };
    const usage = tokensOf(answer.usage);
    const audioSeconds = answer.usage?.type === "duration" ? answer.usage.seconds : answer.duration;
    return {
      body: upstream.text,
      contentType,
      outputText: answer.text ?? "",
      ...(usage ? { usage } : {}),
      ...(typeof audioSeconds === "number" ? { units: { audioSeconds } } : {}),
    };
  },
  inputText: () => "",
};

/** OpenAI reports tokens for the gpt-4o transcribe models and seconds for whisper-1. */
type TranscriptionUsage =
  | { type: "tokens"; input_tokens: number; output_tokens: number }
  | { type: "duration"; seconds: number };

function tokensOf(usage: TranscriptionUsage | undefined): IRUsage | undefined {
  return usage?.type === "tokens"
    ? { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens }
    : undefined;
}
