/**
 * A running Switchyard with one connection per upstream dialect, all pointing at one strict
 * mock upstream, and a client key. Model strings: `<prefix>/<model>` with the prefixes below.
 */

import type { ServeConfig } from "../../src/config.ts";
import type { Dialect } from "../../src/wire/ir.ts";
import { MOCK_KEY, type MockUpstream, startMockUpstream } from "./mock-upstream.ts";
import { startServer, type TestServer } from "./server.ts";

/** The model string that reaches each upstream dialect. */
export const MODEL_FOR: Record<Dialect, string> = {
  "openai-chat": "openai/gpt-mock",
  "openai-responses": "resp/gpt-mock",
  anthropic: "anthropic/claude-mock",
  gemini: "gemini/gemini-mock",
  ollama: "ollama/llama-mock",
};

export interface GatewaySetup extends AsyncDisposable {
  server: TestServer;
  upstream: MockUpstream;
  cookie: string;
  /** A client API key (not admin). */
  key: string;
  connectionIds: Record<Dialect, string>;
}

export async function startGateway(overrides: Partial<ServeConfig> = {}): Promise<GatewaySetup> {
  const upstream = startMockUpstream();
  const server = await startServer(overrides);
  const cookie = await server.login();
  const post = async (path: string, json: unknown) => {
    const response = await server.call(path, { method: "POST", cookie, json });
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, { id: string }> & { key?: string };
  };
  const node = (
    await post("/api/provider-nodes", {
      type: "openai-compatible",
      apiType: "responses",
      name: "Responses mock",
      prefix: "resp",
      baseUrl: `${upstream.url}/v1`,
    })
  ).node!;
  const connection = async (json: Record<string, unknown>) =>
    (await post("/api/providers", json)).connection!.id;
  const connectionIds: Record<Dialect, string> = {
    "openai-chat": await connection({ provider: "openai", apiKey: MOCK_KEY, url: `${upstream.url}/v1` }),
    "openai-responses": await connection({ provider: node.id, apiKey: MOCK_KEY }),
    anthropic: await connection({ provider: "anthropic", apiKey: MOCK_KEY, url: upstream.url }),
    gemini: await connection({ provider: "gemini", apiKey: MOCK_KEY, url: upstream.url }),
    ollama: await connection({ provider: "ollama", url: upstream.url }),
  };
  const key = (await post("/api/keys", { label: "sdk tests" })).key as unknown as string;
  return {
    server,
    upstream,
    cookie,
    key,
    connectionIds,
    async [Symbol.asyncDispose]() {
      await server[Symbol.asyncDispose]();
      await upstream[Symbol.asyncDispose]();
    },
  };
}
