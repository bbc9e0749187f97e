/**
 * POST /v1/rerank over HTTP, Cohere/Jina-style in and out, to Cohere (v2), Jina and Voyage
 * upstreams: documents as strings or objects, top_n and return_documents, usage and searches
 * recorded, searches priced per thousand.
 */
import { describe, expect, it } from "bun:test";
import { useMediaGateway } from "../helpers/media-setup.ts";

const gateway = useMediaGateway();

const DOCUMENTS = ["short", "a somewhat longer document", "mid length"];

interface Ranked {
  model: string;
  results: Array<{ index: number; relevance_score: number; document?: Record<string, unknown> }>;
  usage: { total_tokens: number | null };
}

describe("rerank", () => {
  for (const [model, route] of [
    ["cohere/rerank-v3.5", "cohere-rerank"],
    ["jina/jina-reranker-v2-base-multilingual", "jina-rerank"],
    ["voyage/rerank-2.5", "voyage-rerank"],
  ] as const) {
    it(`ranks the documents through ${route}, keeping top_n with the documents asked for`, async () => {
      const response = await gateway.setup.post("/v1/rerank", {
        model,
        query: "which is longest?",
        documents: DOCUMENTS,
        top_n: 2,
        return_documents: true,
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Ranked;
      expect(gateway.setup.upstream.received.at(-1)!.route).toBe(route);
      expect(body.model).toBe(model);
      expect(body.results.map((result) => result.index)).toEqual([1, 2]);
      expect(body.results[0]!.document).toEqual({ text: DOCUMENTS[1] });
      expect(body.results[0]!.relevance_score).toBeGreaterThan(body.results[1]!.relevance_score);
    });
  }

  it("sends each style its own names: top_k for Voyage, text for object documents where only text is taken", () => {
    const byRoute = Object.fromEntries(
      gateway.setup.upstream.received.map((entry) => [entry.route, entry.body]),
    );
    expect(byRoute["voyage-rerank"]).toMatchObject({
      top_k: 2,
      documents: DOCUMENTS,
      return_documents: false,
    });
    expect(byRoute["cohere-rerank"]).toMatchObject({
      top_n: 2,
      documents: DOCUMENTS,
      query: "which is longest?",
    });
    expect(byRoute["cohere-rerank"]!.return_documents).toBeUndefined();
  });

  it("takes object documents and answers them as they were sent, without documents unless asked", async () => {
    const documents = [
      { text: "tiny", id: "a" },
      { title: "no text field", body: "a much longer body of words" },
    ];
    const withDocs = await gateway.setup.post("/api/v1/rerank", {
      model: "cohere/rerank-v3.5",
      query: "q",
      documents,
      return_documents: true,
    });
    const ranked = (await withDocs.json()) as Ranked;
    expect(ranked.results.map((result) => result.document)).toEqual([documents[1], documents[0]]);
    expect((gateway.setup.upstream.received.at(-1)!.body.documents as string[])[1]).toBe(
      JSON.stringify(documents[1]),
    );
    const plain = (await (
      await gateway.setup.post("/v1/rerank", {
        model: "jina/jina-reranker-v2-base-multilingual",
        query: "q",
        documents,
      })
    ).json()) as Ranked;
    expect(plain.results.every((result) => result.document === undefined)).toBe(true);
    expect(gateway.setup.upstream.received.at(-1)!.body.documents).toEqual(documents);
  });

  it("records the tokens the upstream reported, and estimates them where it bills otherwise", async () => {
    const jina = await gateway.setup.post("/v1/rerank", {
      model: "jina/jina-reranker-v2-base-multilingual",
      query: "q",
      documents: DOCUMENTS,
    });
    expect(((await jina.json()) as Ranked).usage.total_tokens).toBe(31);
    expect((await gateway.setup.usageOf(jina)).row).toMatchObject({
      status: 200,
      provider: "jina",
      inputTokens: 31,
      estimated: false,
    });
    const cohere = await gateway.setup.post("/v1/rerank", {
      model: "cohere/rerank-v3.5",
      query: "q",
      documents: DOCUMENTS,
    });
    expect((await gateway.setup.usageOf(cohere)).row).toMatchObject({
      status: 200,
      provider: "cohere",
      estimated: true,
    });
  });

  it("records the searches Cohere billed, priced at the per-search rate; elsewhere one per 100 documents", async () => {
    const { server, cookie } = gateway.setup;
    const priced = await server.call("/api/pricing", {
      method: "POST",
      cookie,
      json: { provider: "cohere", model: "rerank-v3.5", perThousandSearches: 2 },
    });
    expect(priced.status).toBe(200);
    const many = Array.from({ length: 150 }, (_, index) => `document ${index}`);
    try {
      const cohere = await gateway.setup.post("/v1/rerank", {
        model: "cohere/rerank-v3.5",
        query: "q",
        documents: many,
      });
      expect(cohere.headers.get("x-switchyard-cost-usd")).toBe("0.004000");
      const { row } = await gateway.setup.usageOf(cohere);
      expect(row).toMatchObject({ status: 200, provider: "cohere", searches: 2 });
      expect(row.costUsd).toBeCloseTo((2 * 2) / 1_000, 12);
    } finally {
      await server.call("/api/pricing?provider=cohere&model=rerank-v3.5", { method: "DELETE", cookie });
    }
    const jina = await gateway.setup.post("/v1/rerank", {
      model: "jina/jina-reranker-v2-base-multilingual",
      query: "q",
      documents: many,
    });
    // Jina bills tokens, and the catalogue has no price for them.
    expect((await gateway.setup.usageOf(jina)).row).toMatchObject({ searches: 2, costUsd: null });
  });

  it("refuses a request it cannot serve in OpenAI's error format", async () => {
    const noDocuments = await gateway.setup.post("/v1/rerank", {
      model: "cohere/rerank-v3.5",
      query: "q",
      documents: [],
    });
    expect(noDocuments.status).toBe(400);
    expect(await noDocuments.json()).toMatchObject({ error: { param: "documents" } });
    const gemini = await gateway.setup.post("/v1/rerank", {
      model: "gemini/gemini-embedding-001",
      query: "q",
      documents: ["x"],
    });
    expect(gemini.status).toBe(400);
    expect(((await gemini.json()) as { error: { message: string } }).error.message).toContain(
      "does not serve the rerank API",
    );
  });
});
