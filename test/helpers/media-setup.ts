/**
 * A running Switchyard whose connections all point at one media mock upstream: two OpenAI
 * accounts (for failover), Gemini, Ollama, Cohere, Voyage and Jina; a client key; and a reader
 * for the usage row of a request.
 */
import { afterAll, beforeAll } from "bun:test";
import { eq } from "drizzle-orm";
import OpenAI from "openai";
import { usageAttempts, usageRecords } from "../../src/store/schema.ts";
import { MEDIA_KEYS, type MediaUpstream, startMediaUpstream } from "./media-upstream.ts";
import { startServer, type TestServer } from "./server.ts";

export interface MediaSetup extends AsyncDisposable {
  server: TestServer;
  upstream: MediaUpstream;
  cookie: string;
  key: string;
  connectionIds: {
    openaiA: string;
    openaiB: string;
    gemini: string;
    ollama: string;
    cohere: string;
    voyage: string;
    jina: string;
  };
  /** POSTs JSON to the gateway with the client key. */
  post(path: string, json: unknown): Promise<Response>;
  /** The usage row of a request and its attempts in order (waiting out a usage estimate). */
  usageOf(response: Response): Promise<{
    row: typeof usageRecords.$inferSelect;
    attempts: Array<typeof usageAttempts.$inferSelect>;
  }>;
}

export async function startMediaGateway(): Promise<MediaSetup> {
  const upstream = startMediaUpstream();
  const server = await startServer();
  const cookie = await server.login();
  const create = async (path: string, json: unknown) => {
    const response = await server.call(path, { method: "POST", cookie, json });
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { connection?: { id: string }; key?: string };
  };
  const connection = async (provider: string, url: string, apiKey = MEDIA_KEYS[0]) =>
    (await create("/api/providers", { provider, url, ...(apiKey ? { apiKey } : {}) })).connection!.id;
  const connectionIds = {
    openaiA: await connection("openai", `${upstream.url}/v1`, MEDIA_KEYS[0]),
    openaiB: await connection("openai", `${upstream.url}/v1`, MEDIA_KEYS[1]),
    gemini: await connection("gemini", upstream.url),
    ollama: await connection("ollama", upstream.url, ""),
    cohere: await connection("cohere", `${upstream.url}/compatibility/v1`),
    voyage: await connection("voyage", `${upstream.url}/voyage/v1`),
    jina: await connection("jina", `${upstream.url}/jina/v1`),
  };
  const key = (await create("/api/keys", { label: "media tests" })).key!;
  return {
    server,
    upstream,
    cookie,
    key,
    connectionIds,
    post: (path, json) =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(json),
      }),
    async usageOf(response) {
      const requestId = response.headers.get("x-request-id");
      if (!requestId) throw new Error("no x-request-id");
      const { db } = server.context.store;
      const read = () => {
        server.context.usage.flush();
        return db.select().from(usageRecords).where(eq(usageRecords.requestId, requestId)).get();
      };
      let row = read();
      for (let waited = 0; !row && waited < 3_000; waited += 20) {
        await Bun.sleep(20);
        row = read();
      }
      if (!row) throw new Error(`no usage row for ${requestId}`);
      const attempts = db.select().from(usageAttempts).where(eq(usageAttempts.usageId, row.id)).all();
      return { row, attempts };
    },
    async [Symbol.asyncDispose]() {
      await server[Symbol.asyncDispose]();
      await upstream[Symbol.asyncDispose]();
    },
  };
}

/** The gateway started before a file's tests and stopped after them, with the OpenAI SDK pointed at it. */
export function useMediaGateway(): { readonly setup: MediaSetup; readonly client: OpenAI } {
  let setup: MediaSetup | undefined;
  let client: OpenAI | undefined;
  beforeAll(async () => {
    setup = await startMediaGateway();
    client = new OpenAI({ apiKey: setup.key, baseURL: `${setup.server.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await setup?.[Symbol.asyncDispose]();
  });
  return {
    get setup() {
      if (!setup) throw new Error("the media gateway starts in beforeAll");
      return setup;
    },
    get client() {
      if (!client) throw new Error("the media gateway starts in beforeAll");
      return client;
    },
  };
}
