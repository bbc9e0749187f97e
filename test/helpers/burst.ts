/**
 * Sends many requests at once from its own process and prints their statuses as JSON. In-process
 * clients would share the server's fetch pool (256 connections under `bun test`, which ignores
 * BUN_CONFIG_MAX_HTTP_REQUESTS) and deadlock against its upstream calls.
 *
 *   bun test/helpers/burst.ts < [{url, headers, body}, …]
 */
export interface BurstRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const requests = (await Bun.stdin.json()) as BurstRequest[];
const statuses = await Promise.all(
  requests.map(async ({ url, headers, body }) => {
    const response = await fetch(url, { method: "POST", headers, body });
    await response.arrayBuffer();
    return response.status;
  }),
);
console.log(JSON.stringify(statuses));
