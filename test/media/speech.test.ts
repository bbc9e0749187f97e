/**
 * POST /v1/audio/speech through the official SDK: the audio bytes stream through unchanged with
 * the upstream's content type, and the call is recorded once the last byte went out.
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
    });
    expect(row.inputTokens).toBeGreaterThan(0);
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
