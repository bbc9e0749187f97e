/**
 * A transparent loopback proxy in front of the gateway that records every exchange a client
 * makes: method, path, status, and the answer's body when it is not a 2xx. Streams pass through
 * as they arrive. For tests of third-party clients, whose requests we do not write ourselves:
 * when one fails, the record says exactly which request got which answer.
 */

export interface Exchange {
  method: string;
  path: string;
  status: number;
  /** The request body (first 2,000 characters), for a failed exchange only. */
  requestBody?: string;
  /** The answer's body (first 2,000 characters), for a failed exchange only. */
  responseBody?: string;
}

export interface RecordingProxy extends AsyncDisposable {
  url: string;
  exchanges: Exchange[];
}

/** The exchanges answered with anything but a 2xx, one line each with what was sent and answered. */
export function failedExchanges(exchanges: Exchange[]): string[] {
  return exchanges
    .filter((exchange) => exchange.status < 200 || exchange.status >= 300)
    .map(
      (exchange) =>
        `${exchange.method} ${exchange.path} -> ${exchange.status} ${exchange.responseBody ?? ""}` +
        (exchange.requestBody ? `\n  request: ${exchange.requestBody}` : ""),
    );
}

const KEEP = 2000;

export function startRecordingProxy(target: string): RecordingProxy {
  const exchanges: Exchange[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 120,
    async fetch(request) {
      const url = new URL(request.url);
      const path = url.pathname + url.search;
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
      const headers = new Headers(request.headers);
      headers.delete("host");
      let response: Response;
      try {
        response = await fetch(`${target}${path}`, {
          method: request.method,
          headers,
          body,
          redirect: "manual",
          // The client gets the bytes as the gateway sent them, encoding and all.
          decompress: false,
        });
      } catch (error) {
        exchanges.push({ method: request.method, path, status: 502, responseBody: String(error) });
        return new Response(`recording proxy: ${error}`, { status: 502 });
      }
      const exchange: Exchange = { method: request.method, path, status: response.status };
      exchanges.push(exchange);
      if (response.status >= 200 && response.status < 300) return response;
      const bytes = new Uint8Array(await response.arrayBuffer());
      exchange.requestBody = body?.slice(0, KEEP);
      exchange.responseBody = new TextDecoder().decode(bytes).slice(0, KEEP);
      return new Response(bytes, { status: response.status, headers: response.headers });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    exchanges,
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
}
