import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startServer, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let cookie: string;
beforeAll(async () => {
  server = await startServer();
  cookie = await server.login();
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

const save = (json: unknown) => server.call("/api/pricing", { method: "POST", cookie, json });
const read = async <T>(path: string) => (await (await server.call(path, { cookie })).json()) as T;

interface ModelEntry {
  provider: string;
  model: string;
  price: Record<string, number> | null;
  source: string | null;
}

describe("/api/pricing", () => {
  it("shows the catalogue's unit rates beside its token rates", async () => {
    const { prices } = await read<{ prices: Array<Record<string, unknown>> }>("/api/pricing/defaults");
    expect(prices).toContainEqual({ provider: "openai", model: "tts-1", perMillionCharacters: 15 });
    expect(prices).toContainEqual({ provider: "openai", model: "whisper-1", perMinute: 0.006 });
    const { models } = await read<{ models: ModelEntry[] }>("/api/pricing/models");
    expect(models.find((entry) => entry.model === "whisper-1")).toMatchObject({
      price: { perMinute: 0.006 },
      source: "catalogue",
    });
    expect(models.find((entry) => entry.model === "rerank-v3.5")).toMatchObject({ price: null });
  });

  it("saves a price by units alone, whole: a rate left out of the next save is unset", async () => {
    const first = await save({ provider: "openai", model: "dall-e-3", perImage: 0.04, perMinute: 1 });
    expect(first.status).toBe(200);
    expect(((await first.json()) as { override: unknown }).override).toMatchObject({
      provider: "openai",
      model: "dall-e-3",
      input: null,
      output: null,
      perImage: 0.04,
      perMinute: 1,
      perMillionCharacters: null,
    });
    expect((await save({ provider: "openai", model: "dall-e-3", perImage: 0.05 })).status).toBe(200);
    const { overrides } = await read<{ overrides: Array<Record<string, unknown>> }>("/api/pricing");
    expect(overrides.find((row) => row.model === "dall-e-3")).toMatchObject({
      perImage: 0.05,
      perMinute: null,
    });
    const { models } = await read<{ models: ModelEntry[] }>("/api/pricing/models");
    expect(models.find((entry) => entry.model === "dall-e-3")).toMatchObject({
      price: { perImage: 0.05 },
      source: "override",
    });
  });

  it("refuses an incomplete price, naming each field, in the management error shape", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ input: 1 }, "output"],
      [{ output: 1, perImage: 0.1 }, "input"],
      [{ cachedInput: 0.1, perMinute: 0.01 }, "cachedInput"],
      [{}, "input"],
      [{ input: null, output: null }, "input"],
    ];
    for (const [rates, field] of cases) {
      const response = await save({ provider: "openai", model: "gpt-x", ...rates });
      expect(response.status).toBe(400);
      const body = (await response.json()) as {
        error: { message: string; details: Array<{ field: string }> };
      };
      expect(body.error.message).toBe("The price is incomplete");
      expect(body.error.details.map((problem) => problem.field)).toContain(field);
    }
    const negative = await save({ provider: "openai", model: "gpt-x", perImage: -1 });
    expect(negative.status).toBe(400);
    expect(
      ((await negative.json()) as { error: { details: unknown[] } }).error.details.length,
    ).toBeGreaterThan(0);
  });
});
