/**
 * A stand-in HTTP(S) proxy on loopback that refuses every connection and records what was asked
 * for. Point a child's HTTPS_PROXY / HTTP_PROXY / ALL_PROXY at it with NO_PROXY=127.0.0.1,localhost:
 * anything the child tries to reach beyond loopback (telemetry, update checks, plugin syncs)
 * shows up in `attempts` instead of leaving the machine.
 */
import { createServer, type Socket } from "node:net";

export interface EgressTrap extends AsyncDisposable {
  url: string;
  /** The request line of each attempt, such as "CONNECT api.example.com:443 HTTP/1.1". */
  attempts: string[];
  /** Environment variables that send a child's non-loopback traffic here. */
  proxyEnv: Record<string, string>;
}

export async function startEgressTrap(): Promise<EgressTrap> {
  const attempts: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", (data) => {
      attempts.push(data.toString("latin1").split("\r\n")[0] ?? "");
      socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("egress trap: no port");
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    attempts,
    proxyEnv: {
      HTTPS_PROXY: url,
      HTTP_PROXY: url,
      ALL_PROXY: url,
      https_proxy: url,
      http_proxy: url,
      all_proxy: url,
      NO_PROXY: "127.0.0.1,localhost",
      no_proxy: "127.0.0.1,localhost",
    },
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
