/**
 * POST /v1/images/generations through the official SDK: OpenAI's dall-e and gpt-image models
 * (b64_json and url) passed through, Gemini's Imagen mapped from n and size, and what Imagen
 * cannot do refused clearly; usage rows with the images returned, gpt-image's tokens, and the
 * cost at a per-image rate.
 */
import { describe, expect, it } from "bun:test";
import OpenAI from "openai";
import { useMediaGateway } from "../helpers/media-setup.ts";

const gateway = useMediaGateway();

const lastReceived = () => gateway.setup.upstream.received.at(-1)!;

describe("image generations", () => {
  it("passes a dall-e request and its url answer through", async () => {
    const answer = await gateway.client.images.generate({
      model: "openai/dall-e-3",
      prompt: "a lighthouse",
      size: "1792x1024",
      quality: "hd",
      response_format: "url",
    });
    expect(answer.data![0]!.url).toBe("https://images.example/0.png");
    expect(lastReceived()).toMatchObject({
      route: "openai-images",
      body: { model: "dall-e-3", size: "1792x1024", quality: "hd", response_format: "url" },
    });
  });

  it("answers gpt-image's b64_json and records its tokens and cost", async () => {
    const { data, response } = await gateway.client.images
      .generate({ model: "openai/gpt-image-1", prompt: "a cat", n: 2 })
      .withResponse();
    expect(data.data!.map((image) => atob(image.b64_json!))).toEqual(["png 0", "png 1"]);
    const { row } = await gateway.setup.usageOf(response);
    expect(row).toMatchObject({
      status: 200,
      model: "gpt-image-1",
      inputTokens: 12,
      outputTokens: 1056,
      images: 2,
      estimated: false,
    });
    expect(row.costUsd).toBeCloseTo((12 * 5 + 1056 * 40) / 1e6, 9);
  });

  it("records the images a dall-e call returned and prices them at the per-image rate", async () => {
    const { server, cookie } = gateway.setup;
    const priced = await server.call("/api/pricing", {
      method: "POST",
      cookie,
      json: { provider: "openai", model: "dall-e-3", perImage: 0.04 },
    });
    expect(priced.status).toBe(200);
    try {
      const { response } = await gateway.client.images
        .generate({ model: "openai/dall-e-3", prompt: "two boats", n: 2 })
        .withResponse();
      expect(response.headers.get("x-switchyard-cost-usd")).toBe("0.080000");
      const { row } = await gateway.setup.usageOf(response);
      expect(row).toMatchObject({ status: 200, model: "dall-e-3", images: 2 });
      expect(row.costUsd).toBeCloseTo(2 * 0.04, 12);
      for (const path of ["/api/usage/logs", "/api/usage/request-logs"]) {
        const page = (await (await server.call(`${path}?model=dall-e-3&limit=1`, { cookie })).json()) as {
          logs: Array<{ requestId: string; units: Record<string, number | null> }>;
        };
        expect(page.logs[0]).toMatchObject({
          requestId: row.requestId,
          units: { images: 2, characters: null, audioSeconds: null, searches: null },
        });
      }
    } finally {
      await server.call("/api/pricing?provider=openai&model=dall-e-3", { method: "DELETE", cookie });
    }
  });

  it("maps n and size to Imagen's sampleCount and aspect ratio, through the provider-pinned path", async () => {
    const pinned = new OpenAI({
      apiKey: gateway.setup.key,
      baseURL: `${gateway.setup.server.url}/v1/providers/gemini`,
      maxRetries: 0,
    });
    const { data: answer, response } = await pinned.images
      .generate({ model: "imagen-4.0-generate-001", prompt: "a fox", n: 3, size: "1024x1792" })
      .withResponse();
    expect(answer.data!.map((image) => atob(image.b64_json!))).toEqual(["imagen 0", "imagen 1", "imagen 2"]);
    // Imagen has no known per-image rate: the images are counted, the cost stays unknown.
    const { row } = await gateway.setup.usageOf(response);
    expect(row).toMatchObject({ status: 200, images: 3, costUsd: null });
    expect(lastReceived()).toMatchObject({
      route: "gemini-images",
      path: "/v1beta/models/imagen-4.0-generate-001:predict",
      body: { instances: [{ prompt: "a fox" }], parameters: { sampleCount: 3, aspectRatio: "9:16" } },
    });
  });

  it("refuses what Imagen cannot honour, saying which field and why", async () => {
    for (const [field, extra] of [
      ["size", { size: "1536x1024" }],
      ["n", { n: 5 }],
      ["quality", { quality: "hd" }],
      ["response_format", { response_format: "url" }],
    ] as const) {
      const response = await gateway.setup.post("/v1/images/generations", {
        model: "gemini/imagen-4.0-generate-001",
        prompt: "x",
        ...extra,
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { message: string; param: string } };
      expect(body.error.param).toBe(field);
      expect(body.error.message).toContain("gemini/imagen-4.0-generate-001");
    }
    const streamed = await gateway.setup.post("/v1/images/generations", {
      model: "openai/gpt-image-1",
      prompt: "x",
      stream: true,
    });
    expect(streamed.status).toBe(400);
    expect(await streamed.json()).toMatchObject({ error: { param: "stream" } });
    const noPrompt = await gateway.setup.post("/v1/images/generations", { model: "openai/dall-e-3" });
    expect(noPrompt.status).toBe(400);
    expect(await noPrompt.json()).toMatchObject({ error: { param: "prompt" } });
  });
});
