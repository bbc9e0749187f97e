/**
 * POST /v1/images/generations through the official SDK: OpenAI's dall-e and gpt-image models
 * (b64_json and url) passed through, Gemini's Imagen mapped from n and size, and what Imagen
 * cannot do refused clearly; usage rows with gpt-image's tokens.
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
      estimated: false,
    });
    expect(row.costUsd).toBeCloseTo((12 * 5 + 1056 * 40) / 1e6, 9);
  });

  it("maps n and size to Imagen's sampleCount and aspect ratio, through the provider-pinned path", async () => {
    const pinned = new OpenAI({
      apiKey: gateway.setup.key,
      baseURL: `${gateway.setup.server.url}/v1/providers/gemini`,
      maxRetries: 0,
    });
    const answer = await pinned.images.generate({
      model: "imagen-4.0-generate-001",
      prompt: "a fox",
      n: 3,
      size: "1024x1792",
    });
    expect(answer.data!.map((image) => atob(image.b64_json!))).toEqual(["imagen 0", "imagen 1", "imagen 2"]);
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
