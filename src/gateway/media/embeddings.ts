/**
 * POST /v1/embeddings in OpenAI's shape, to OpenAI-compatible, Gemini (batchEmbedContents),
 * Ollama (/api/embed), Cohere (v2 embed), Voyage and Jina upstreams. `dimensions` is mapped to
 * each API's name for it; `encoding_format: "base64"` is answered as little-endian float32 bytes,
 * made here when the upstream sent floats. Body keys the gateway does not map (`input_type`,
 * `truncate`, `task`, …) are forwarded as the client wrote them.
 */
import type { MediaStyle } from "../../providers/catalog.ts";
import { estimateTokens } from "../../usage/estimate.ts";
import { type IRUsage, WireError } from "../../wire/index.ts";
import { asSent, type MediaAnswer, type MediaOperation, otherFields } from "./call.ts";

interface EmbeddingsInput {
  body: Record<string, unknown>;
  model: string;
  /** The texts, or undefined when the client sent token ids (only OpenAI-style upstreams take those). */
  texts: string[] | undefined;
  dimensions?: number;
  base64: boolean;
  /** What is forwarded untouched to upstreams of other styles than OpenAI's. */
  extra: Record<string, unknown>;
}

const MAPPED = ["model", "input", "dimensions", "encoding_format", "user"];

/** Each style's name for the output size. */
const DIMENSIONS_FIELD: Record<MediaStyle, string> = {
  openai: "dimensions",
  gemini: "outputDimensionality",
  jina: "dimensions",
  voyage: "output_dimension",
  ollama: "dimensions",
  cohere: "output_dimension",
};

export const embeddings: MediaOperation<EmbeddingsInput> = {
  api: "embeddings",
  read(body) {
    const { input, dimensions, encoding_format: encoding } = body;
    if (dimensions !== undefined && !(Number.isInteger(dimensions) && (dimensions as number) > 0))
      throw new WireError("invalid_request", "dimensions: a positive integer", { param: "dimensions" });
    if (encoding !== undefined && encoding !== "float" && encoding !== "base64")
      throw new WireError("invalid_request", "encoding_format: 'float' or 'base64'", {
        param: "encoding_format",
      });
    return {
      body,
      model: body.model as string,
      texts: textsOf(input),
      ...(dimensions !== undefined ? { dimensions: dimensions as number } : {}),
      base64: encoding === "base64",
      extra: otherFields(body, MAPPED),
    };
  },
  encode(input, route, target) {
    if (route.style === "openai") return asSent(input.body, route, target);
    const texts = input.texts;
    if (!texts)
      throw new WireError("invalid_request", `input: ${target.endpoint.prefix} takes text, not token ids`, {
        param: "input",
      });
    const dimensions =
      input.dimensions === undefined ? {} : { [DIMENSIONS_FIELD[route.style]]: input.dimensions };
    switch (route.style) {
      case "gemini": {
        const model = target.model.startsWith("models/") ? target.model : `models/${target.model}`;
        const requests = texts.map((text) => ({
          model,
          content: { parts: [{ text }] },
          ...dimensions,
          ...input.extra,
        }));
        return { url: route.url, body: JSON.stringify({ requests }) };
      }
      case "cohere":
        return {
          url: route.url,
          body: JSON.stringify({
            model: target.model,
            texts,
            // Required by Cohere's v3 and later models; "search_document" is what a store of embeddings wants.
            input_type: "search_document",
            embedding_types: ["float"],
            ...dimensions,
            ...input.extra,
          }),
        };
      default:
        return {
          url: route.url,
          body: JSON.stringify({ model: target.model, input: texts, ...dimensions, ...input.extra }),
        };
    }
  },
  async decode(input, route, upstream) {
    const answer = JSON.parse(upstream.text) as Record<string, unknown>;
    const { vectors, usage } = vectorsOf(route.style, answer);
    const reported = usage ?? {
      inputTokens: await estimateTokens((input.texts ?? []).join("\n")),
      outputTokens: 0,
      estimated: true,
    };
    const body = {
      object: "list",
      data: vectors.map((vector, index) => ({
        object: "embedding",
        index,
        embedding: input.base64 && Array.isArray(vector) ? float32Base64(vector) : vector,
      })),
      model: typeof answer.model === "string" ? answer.model : input.model,
      usage: { prompt_tokens: reported.inputTokens, total_tokens: reported.inputTokens },
    };
    return {
      body: JSON.stringify(body),
      contentType: "application/json",
      usage: reported,
    } satisfies MediaAnswer;
  },
  inputText: (input) => (input.texts ?? []).join("\n"),
};

function textsOf(input: unknown): string[] | undefined {
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.length > 0) {
    if (input.every((item) => typeof item === "string")) return input as string[];
    const tokens = (item: unknown) => Array.isArray(item) && item.every(Number.isInteger);
    if (input.every(Number.isInteger) || input.every(tokens)) return undefined;
  }
  throw new WireError("invalid_request", "input: a string, an array of strings, or token ids", {
    param: "input",
  });
}

type Vector = number[] | string;

/** The vectors in input order and the usage the upstream reported, per style. */
function vectorsOf(
  style: MediaStyle,
  answer: Record<string, unknown>,
): { vectors: Vector[]; usage?: IRUsage } {
  switch (style) {
    case "gemini": {
      const embeddings = answer.embeddings as Array<{ values: number[] }>;
      return { vectors: embeddings.map((embedding) => embedding.values) };
    }
    case "ollama":
      return {
        vectors: answer.embeddings as number[][],
        ...tokens(answer.prompt_eval_count),
      };
    case "cohere": {
      const meta = answer.meta as { billed_units?: { input_tokens?: number } } | undefined;
      return {
        vectors: (answer.embeddings as { float: number[][] }).float,
        ...tokens(meta?.billed_units?.input_tokens),
      };
    }
    default: {
      const data = answer.data as Array<{ index: number; embedding: Vector }>;
      const usage = answer.usage as { prompt_tokens?: number; total_tokens?: number } | undefined;
      return {
        vectors: [...data].sort((a, b) => a.index - b.index).map((item) => item.embedding),
        ...tokens(usage?.prompt_tokens ?? usage?.total_tokens),
      };
    }
  }
}

function tokens(count: unknown): { usage?: IRUsage } {
  return typeof count === "number" ? { usage: { inputTokens: count, outputTokens: 0 } } : {};
}

/** OpenAI's base64 encoding: the vector's float32 values, little-endian, as base64. */
export function float32Base64(vector: readonly number[]): string {
  const bytes = new DataView(new ArrayBuffer(vector.length * 4));
  for (const [index, value] of vector.entries()) bytes.setFloat32(index * 4, value, true);
  return Buffer.from(bytes.buffer).toString("base64");
}
