/**
 * POST /v1/moderations through the official SDK: OpenAI's default model when none is named,
 * the answer passed through, a usage row (free model: cost 0).
 */
import { describe, expect, it } from "bun:test";
import { useMediaGateway } from "../helpers/media-setup.ts";

const gateway = useMediaGateway();

describe("moderations", () => {
  it("routes a request without a model to omni-moderation-latest and answers the SDK", async () => {
    const { data, response } = await gateway.client.moderations
      .create({ input: ["hello", "I will kill it"] })
      .withResponse();
    expect(data.results.map((result) => result.flagged)).toEqual([false, true]);
    const received = gateway.setup.upstream.received.at(-1)!;
    expect(received).toMatchObject({
      route: "openai-moderations",
      body: { model: "omni-moderation-latest" },
    });
    const { row } = await gateway.setup.usageOf(response);
    expect(row).toMatchObject({
      status: 200,
      provider: "openai",
      model: "omni-moderation-latest",
      costUsd: 0,
    });
  });

  it("routes the model the client names, pinned by provider prefix", async () => {
    const result = await gateway.client.moderations.create({
      model: "openai/omni-moderation-latest",
      input: "fine",
    });
    expect(result.results[0]!.flagged).toBe(false);
    expect(gateway.setup.upstream.received.at(-1)!.body.model).toBe("omni-moderation-latest");
  });

  it("refuses a body without input, and a provider without moderations, in OpenAI's error format", async () => {
    const missing = await gateway.setup.post("/v1/moderations", {});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { param: "input" } });
    const invalid = await fetch(`${gateway.setup.server.url}/v1/moderations`, {
      method: "POST",
      headers: { authorization: `Bearer ${gateway.setup.key}` },
      body: "{not json",
    });
    expect(invalid.status).toBe(400);
    const ollama = await gateway.setup.post("/api/v1/moderations", {
      model: "ollama/llama-guard",
      input: "x",
    });
    expect(ollama.status).toBe(400);
  });
});
