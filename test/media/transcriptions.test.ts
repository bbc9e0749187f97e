/**
 * POST /v1/audio/transcriptions through the official SDK with a small WAV made here: the upload
 * reaches the upstream byte for byte as multipart, every response_format comes back as the
 * upstream wrote it, the tokens of a json answer and the duration of a verbose_json one are
 * recorded (the duration priced per minute), and failover resends the file.
 */
import { describe, expect, it } from "bun:test";
import { toFile } from "openai";
import { useMediaGateway } from "../helpers/media-setup.ts";

const gateway = useMediaGateway();

/** A mono 16-bit PCM WAV of a 440 Hz tone. */
function wav(seconds: number, rate = 8_000): Uint8Array<ArrayBuffer> {
  const samples = Math.round(seconds * rate);
  const data = new DataView(new ArrayBuffer(44 + samples * 2));
  const text = (offset: number, value: string) => {
    for (const [index, char] of [...value].entries()) data.setUint8(offset + index, char.charCodeAt(0));
  };
  text(0, "RIFF");
  data.setUint32(4, 36 + samples * 2, true);
  text(8, "WAVEfmt ");
  data.setUint32(16, 16, true);
  data.setUint16(20, 1, true);
  data.setUint16(22, 1, true);
  data.setUint32(24, rate, true);
  data.setUint32(28, rate * 2, true);
  data.setUint16(32, 2, true);
  data.setUint16(34, 16, true);
  text(36, "data");
  data.setUint32(40, samples * 2, true);
  for (let index = 0; index < samples; index++)
    data.setInt16(44 + index * 2, Math.round(Math.sin((2 * Math.PI * 440 * index) / rate) * 12_000), true);
  return new Uint8Array(data.buffer);
}

const AUDIO = wav(0.25);
const upload = () => toFile(AUDIO, "tone.wav", { type: "audio/wav" });
const lastReceived = () => gateway.setup.upstream.received.at(-1)!;

describe("transcriptions", () => {
  it("forwards the upload byte for byte and answers json with the tokens recorded", async () => {
    const { data, response } = await gateway.client.audio.transcriptions
      .create({ file: await upload(), model: "openai/whisper-1", language: "en" })
      .withResponse();
    expect(data.text).toBe(`Heard ${AUDIO.byteLength} bytes.`);
    const received = lastReceived();
    expect(received.route).toBe("openai-transcriptions");
    expect(received.headers["content-type"]).toStartWith("multipart/form-data; boundary=");
    expect(received.body).toMatchObject({ model: "whisper-1", language: "en", file: { name: "tone.wav" } });
    expect((received.body.file as { type: string }).type).toMatch(/^audio\/(x-)?wav$/);
    expect((received.body.file as { bytes: Uint8Array }).bytes).toEqual(AUDIO);
    const { row } = await gateway.setup.usageOf(response);
    expect(row).toMatchObject({
      status: 200,
      model: "whisper-1",
      inputTokens: 14,
      outputTokens: 5,
      estimated: false,
      audioSeconds: null,
      // whisper-1 is priced per minute, not per token, and this answer gave no duration.
      costUsd: null,
    });
  });

  for (const format of ["text", "srt", "vtt"] as const) {
    it(`answers response_format ${format} as the upstream's text`, async () => {
      const text = await gateway.client.audio.transcriptions.create({
        file: await upload(),
        model: "openai/whisper-1",
        response_format: format,
      });
      expect(String(text)).toContain(`Heard ${AUDIO.byteLength} bytes.`);
      if (format === "vtt") expect(String(text)).toStartWith("WEBVTT");
      if (format === "srt") expect(String(text)).toContain("00:00:00,000 --> 00:00:01,000");
    });
  }

  it("answers verbose_json with its segments, keeps repeated fields, and prices the duration per minute", async () => {
    const { data: answer, response } = await gateway.client.audio.transcriptions
      .create({
        file: await upload(),
        model: "openai/whisper-1",
        response_format: "verbose_json",
        timestamp_granularities: ["word", "segment"],
      })
      .withResponse();
    expect(answer.segments?.[0]?.text).toBe(`Heard ${AUDIO.byteLength} bytes.`);
    expect(lastReceived().body["timestamp_granularities[]"]).toBeDefined();
    const { row } = await gateway.setup.usageOf(response);
    expect(row.audioSeconds).toBe(answer.duration);
    expect(row.costUsd).toBeCloseTo((answer.duration / 60) * 0.006, 12);
  });

  it("sends the same file again to the next account when the first is rate limited", async () => {
    gateway.setup.upstream.failNext("openai-transcriptions", 429, {
      error: { message: "slow down", type: "requests" },
    });
    const before = gateway.setup.upstream.received.length;
    const { response } = await gateway.client.audio.transcriptions
      .create({ file: await upload(), model: "openai/whisper-1" })
      .withResponse();
    const [limited, served] = gateway.setup.upstream.received.slice(before);
    expect((served!.body.file as { bytes: Uint8Array }).bytes).toEqual(AUDIO);
    expect(limited!.headers.authorization).not.toBe(served!.headers.authorization);
    expect((await gateway.setup.usageOf(response)).row.attempts).toBe(2);
  });

  it("refuses an upload without a file, a JSON body and an unknown format in OpenAI's error format", async () => {
    const form = new FormData();
    form.append("model", "openai/whisper-1");
    const noFile = await fetch(`${gateway.setup.server.url}/v1/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${gateway.setup.key}` },
      body: form,
    });
    expect(noFile.status).toBe(400);
    expect(await noFile.json()).toMatchObject({ error: { param: "file" } });
    const json = await gateway.setup.post("/v1/audio/transcriptions", { model: "openai/whisper-1" });
    expect(json.status).toBe(400);
    const format = new FormData();
    format.append("model", "openai/whisper-1");
    format.append("response_format", "mp3");
    format.append("file", new Blob([AUDIO], { type: "audio/wav" }), "tone.wav");
    const badFormat = await fetch(`${gateway.setup.server.url}/api/v1/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${gateway.setup.key}` },
      body: format,
    });
    expect(badFormat.status).toBe(400);
    expect(await badFormat.json()).toMatchObject({ error: { param: "response_format" } });
    const unauthorized = await fetch(`${gateway.setup.server.url}/v1/audio/transcriptions`, {
      method: "POST",
      body: format,
    });
    expect(unauthorized.status).toBe(401);
  });
});
