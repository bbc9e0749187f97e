/**
 * POST /v1/rerank, Cohere/Jina-style: `query`, `documents` (strings or objects), `top_n`,
 * `return_documents`; answered as `{id, model, results: [{index, relevance_score, document?}],
 * usage}` from Cohere (v2), Jina, Voyage and OpenAI-compatible servers that serve /rerank (vLLM,
 * LocalAI: Jina's shape). The documents are returned from the request, never from the upstream,
 * so every upstream answers alike; an object document goes to text-only APIs as its `text`
 * field, or as its JSON. Searches are counted the way Cohere bills them: its own count
 * (`meta.billed_units.search_units`, which counts long documents split in chunks) where it gives
 * one, else one per query over up to 100 documents. Jina and Voyage bill tokens instead.
 */
import { WireError } from "../../wire/index.ts";
import { type MediaOperation, otherFields, requiredString } from "./call.ts";

type Document = string | Record<string, unknown>;

interface RerankInput {
  model: string;
  query: string;
  documents: Document[];
  topN?: number;
  returnDocuments: boolean;
  extra: Record<string, unknown>;
}

const MAPPED = ["model", "query", "documents", "top_n", "return_documents"];

const DOCUMENTS_PER_SEARCH = 100;

export const rerank: MediaOperation<RerankInput> = {
  api: "rerank",
  read(body) {
    const query = requiredString(body, "query");
    const { documents, top_n: topN, return_documents: returnDocuments } = body;
    const valid = (document: unknown) =>
      typeof document === "string" ||
      (typeof document === "object" && document !== null && !Array.isArray(document));
    if (!Array.isArray(documents) || documents.length === 0 || !documents.every(valid))
      throw new WireError("invalid_request", "documents: a non-empty array of strings or objects", {
        param: "documents",
      });
    if (topN !== undefined && !(Number.isInteger(topN) && (topN as number) > 0))
      throw new WireError("invalid_request", "top_n: a positive integer", { param: "top_n" });
    if (returnDocuments !== undefined && typeof returnDocuments !== "boolean")
      throw new WireError("invalid_request", "return_documents: a boolean", { param: "return_documents" });
    return {
      model: body.model as string,
      query,
      documents: documents as Document[],
      ...(topN !== undefined ? { topN: topN as number } : {}),
      returnDocuments: returnDocuments === true,
      extra: otherFields(body, MAPPED),
    };
  },
  encode(input, route, target) {
    const common = { model: target.model, query: input.query, ...input.extra };
    const texts = input.documents.map(documentText);
    const body =
      route.style === "cohere"
        ? { ...common, documents: texts, ...(input.topN ? { top_n: input.topN } : {}) }
        : route.style === "voyage"
          ? {
              ...common,
              documents: texts,
              return_documents: false,
              ...(input.topN ? { top_k: input.topN } : {}),
            }
          : {
              ...common,
              documents: input.documents,
              return_documents: false,
              ...(input.topN ? { top_n: input.topN } : {}),
            };
    return { url: route.url, body: JSON.stringify(body) };
  },
  decode(input, route, upstream) {
    const answer = JSON.parse(upstream.text) as Record<string, unknown>;
    const ranked = (route.style === "voyage" ? answer.data : answer.results) as Array<{
      index: number;
      relevance_score: number;
    }>;
    const usage = answer.usage as { total_tokens?: number; prompt_tokens?: number } | undefined;
    const tokens = usage?.total_tokens ?? usage?.prompt_tokens;
    const billed = (answer.meta as { billed_units?: { search_units?: unknown } } | undefined)?.billed_units
      ?.search_units;
    const searches =
      typeof billed === "number" ? billed : Math.ceil(input.documents.length / DOCUMENTS_PER_SEARCH);
    const results = ranked.slice(0, input.topN).map(({ index, relevance_score }) => ({
      index,
      relevance_score,
      ...(input.returnDocuments ? { document: asDocumentObject(input.documents[index]!) } : {}),
    }));
    const body = {
      id: typeof answer.id === "string" ? answer.id : crypto.randomUUID(),
      model: input.model,
      results,
      usage: { total_tokens: tokens ?? null },
      ...(answer.meta ? { meta: answer.meta } : {}),
    };
    return {
      body: JSON.stringify(body),
      contentType: "application/json",
      units: { searches },
      ...(tokens !== undefined ? { usage: { inputTokens: tokens, outputTokens: 0 } } : {}),
    };
  },
  inputText: (input) => [input.query, ...input.documents.map(documentText)].join("\n"),
};

function documentText(document: Document): string {
  if (typeof document === "string") return document;
  return typeof document.text === "string" ? document.text : JSON.stringify(document);
}

/** Cohere's and Jina's shape for a returned document: `{text}` for a string, the object as sent. */
function asDocumentObject(document: Document): Record<string, unknown> {
  return typeof document === "string" ? { text: document } : document;
}
