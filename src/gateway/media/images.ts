/**
 * POST /v1/images/generations in OpenAI's shape. OpenAI-style upstreams (dall-e and gpt-image
 * models, `b64_json` or `url`) get the body as it came; Gemini's Imagen (`:predict`) gets `n` as
 * `sampleCount` and `size` as the aspect ratio it names, and answers `b64_json` only. What a
 * target cannot honour is refused with the reason, and the next target is tried. The call is
 * billed by the images the upstream returned.
 */
import { WireError } from "../../wire/index.ts";
import { asSent, type MediaOperation, otherFields, requiredString } from "./call.ts";

interface ImagesInput {
  body: Record<string, unknown>;
  prompt: string;
  n: number;
  size?: string;
  quality?: string;
  responseFormat?: string;
  extra: Record<string, unknown>;
}

const MAPPED = ["model", "prompt", "n", "size", "quality", "response_format", "user"];

/** The aspect ratios Imagen generates. */
const IMAGEN_RATIOS = ["1:1", "3:4", "4:3", "9:16", "16:9"];
const IMAGEN_MAX_IMAGES = 4;
/** How far a requested size's shape may be from the ratio it is mapped to. */
const MAX_RATIO_DRIFT = 0.05;
/** Qualities that ask for nothing beyond the model's own: Imagen has no quality setting. */
const DEFAULT_QUALITIES = ["auto", "standard"];

export const images: MediaOperation<ImagesInput> = {
  api: "images",
  read(body) {
    const prompt = requiredString(body, "prompt");
    if (body.stream === true)
      throw new WireError("invalid_request", "stream: partial images are not served; omit stream", {
        param: "stream",
      });
    const { n = 1, size, quality, response_format: responseFormat } = body;
    if (!Number.isInteger(n) || (n as number) < 1)
      throw new WireError("invalid_request", "n: a positive integer", { param: "n" });
    for (const [field, value] of [
      ["size", size],
      ["quality", quality],
      ["response_format", responseFormat],
    ] as const) {
      if (value !== undefined && typeof value !== "string")
        throw new WireError("invalid_request", `${field}: a string`, { param: field });
    }
    if (responseFormat !== undefined && responseFormat !== "url" && responseFormat !== "b64_json")
      throw new WireError("invalid_request", "response_format: 'url' or 'b64_json'", {
        param: "response_format",
      });
    return {
      body,
      prompt,
      n: n as number,
      ...(size !== undefined ? { size: size as string } : {}),
      ...(quality !== undefined ? { quality: quality as string } : {}),
      ...(responseFormat !== undefined ? { responseFormat: responseFormat as string } : {}),
      extra: otherFields(body, MAPPED),
    };
  },
  encode(input, route, target) {
    if (route.style === "openai") return asSent(input.body, route, target);
    const where = `${target.endpoint.prefix}/${target.model}`;
    if (input.n > IMAGEN_MAX_IMAGES)
      throw new WireError("invalid_request", `n: ${where} makes at most ${IMAGEN_MAX_IMAGES} images`, {
        param: "n",
      });
    if (input.responseFormat === "url")
      throw new WireError("invalid_request", `response_format: ${where} answers b64_json only`, {
        param: "response_format",
      });
    if (input.quality !== undefined && !DEFAULT_QUALITIES.includes(input.quality))
      throw new WireError(
        "invalid_request",
        `quality: ${where} has no quality setting; omit it or send 'auto'`,
        {
          param: "quality",
        },
      );
    const aspectRatio =
      input.size === undefined || input.size === "auto" ? undefined : imagenRatio(input.size, where);
    const parameters = { sampleCount: input.n, ...(aspectRatio ? { aspectRatio } : {}), ...input.extra };
    return { url: route.url, body: JSON.stringify({ instances: [{ prompt: input.prompt }], parameters }) };
  },
  decode(_input, route, upstream) {
    if (route.style === "openai") {
      const answer = JSON.parse(upstream.text) as {
        data?: unknown[];
        usage?: { input_tokens?: number; output_tokens?: number };
      };
      const usage = answer.usage;
      return {
        body: upstream.text,
        contentType: "application/json",
        units: { images: answer.data?.length ?? 0 },
        ...(usage?.input_tokens !== undefined
          ? { usage: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens ?? 0 } }
          : {}),
      };
    }
    const answer = JSON.parse(upstream.text) as { predictions?: Array<{ bytesBase64Encoded: string }> };
    const body = {
      created: Math.floor(Date.now() / 1000),
      data: (answer.predictions ?? []).map((prediction) => ({ b64_json: prediction.bytesBase64Encoded })),
    };
    return {
      body: JSON.stringify(body),
      contentType: "application/json",
      units: { images: body.data.length },
    };
  },
  inputText: (input) => input.prompt,
};

/**
 * OpenAI's `WIDTHxHEIGHT` as the Imagen aspect ratio nearest to it, within a few per cent
 * (dall-e-3's 1792x1024 is 16:9 to 1.6 %), or a clear refusal.
 */
function imagenRatio(size: string, where: string): string {
  const match = size.match(/^(\d+)x(\d+)$/);
  if (match) {
    const wanted = Number(match[1]) / Number(match[2]);
    const nearest = IMAGEN_RATIOS.map((ratio) => ({
      ratio,
      off: Math.abs(ratioValue(ratio) / wanted - 1),
    })).sort((a, b) => a.off - b.off)[0]!;
    if (nearest.off <= MAX_RATIO_DRIFT) return nearest.ratio;
  }
  throw new WireError(
    "invalid_request",
    `size: ${where} makes images in the aspect ratios ${IMAGEN_RATIOS.join(", ")}; '${size}' is none of them`,
    { param: "size" },
  );
}

function ratioValue(ratio: string): number {
  const [width, height] = ratio.split(":").map(Number);
  return width! / height!;
}
