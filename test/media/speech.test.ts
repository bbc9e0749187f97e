/**
 * POST /v1/audio/speech through the official SDK: the audio bytes stream through unchanged with
 * the upstream's content type, and the call is recorded once the last byte went out, with the
 * characters it is billed by.
 */
import { describe, expect, it } from "bun:test";
import { useMediaGateway } from "../helpers/media-setup.ts";
import { MOCK_SPEECH } from "../helpers/media-upstream.ts";

const gateway = useMediaGateway();

describe("speech", () => {
  it("streams the audio bytes through with the upstream's content type", async () => {
    const audio = await gateway.client.audio.speech.create({
      model: "openai/tts-1",
      voice: "alloy",
      input: "Hello from the gateway",
      response_format: "wav",
    });
    expect(audio.headers.get("content-type")).toBe("audio/wav");
    expect(new Uint8Array(await audio.arrayBuffer())).toEqual(MOCK_SPEECH);
    expect(gateway.setup.upstream.received.at(-1)).toMatchObject({
      route: "openai-speech",
      body: { model: "tts-1", voice: "alloy", input: "Hello from the gateway", response_format: "wav" },
    });
    const { row } = await gateway.setup.usageOf(audio);
    expect(row).toMatchObject({
      status: 200,
      provider: "openai",
      model: "tts-1",
      aborted: false,
      estimated: true,
      characters: 22,
    });
    expect(row.inputTokens).toBeGreaterThan(0);
    // tts-1 is priced per character only: the estimated tokens add nothing.
    expect(row.costUsd).toBeCloseTo((22 * 15) / 1e6, 12);
  });

  it("counts characters as code points, and an override of the per-character rate changes the cost", async () => {
    const { server, cookie } = gateway.setup;
    const priced = await server.call("/api/pricing", {
      method: "POST",
      cookie,
      json: { provider: "openai", model: "tts-1", perMillionCharacters: 30 },
    });
    expect(priced.status).toBe(200);
    try {
      const input = "Grüße 👋";
      const audio = await gateway.client.audio.speech.create({
        model: "openai/tts-1",
        voice: "alloy",
        input,
      });
      await audio.arrayBuffer();
      expect(Number(audio.headers.get("x-switchyard-cost-usd"))).toBeCloseTo((7 * 30) / 1e6, 6);
      const { row } = await gateway.setup.usageOf(audio);
      expect(row.characters).toBe(7);
      expect(row.costUsd).toBeCloseTo((7 * 30) / 1e6, 12);
    } finally {
      await server.call("/api/pricing?provider=openai&model=tts-1", { method: "DELETE", cookie });
    }
  });

  it("fails over before any byte went out when the first account is rate limited", async () => {
    gateway.setup.upstream.failNext("openai-speech", 429, {
      error: { message: "slow down", type: "requests" },
    });
    const audio = await gateway.client.audio.speech.create({
      model: "openai/tts-1",
      voice: "alloy",
      input: "again",
    });
    expect(audio.headers.get("content-type")).toBe("audio/mpeg");
    expect(new Uint8Array(await audio.arrayBuffer())).toEqual(MOCK_SPEECH);
    expect((await gateway.setup.usageOf(audio)).row.attempts).toBe(2);
  });

  it("refuses a request without input in OpenAI's error format", async () => {
    const response = await gateway.setup.post("/v1/audio/speech", { model: "openai/tts-1", voice: "alloy" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: "input" } });
  });
});
