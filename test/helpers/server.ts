/**
 * The real server for tests: a fresh data dir in a temp folder, listening on a random loopback
 * port, signed in on demand. Dispose it (`await using`) to drain it and delete the folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServeConfig } from "../../src/config.ts";
import type { AppContext } from "../../src/context.ts";
import { serve } from "../../src/ops/server.ts";

export const TEST_PASSWORD = "correct horse battery staple";

export interface TestServer extends AsyncDisposable {
  url: string;
  dataDir: string;
  /** The server's own context, for feeding it what the gateway would (usage outcomes). */
  context: AppContext;
  /** Signs in and returns the Cookie header value. */
  login(): Promise<string>;
  /** fetch against the server, JSON body when `json` is given. */
  call(path: string, init?: RequestInit & { json?: unknown; cookie?: string }): Promise<Response>;
  /** A form submitted as the dashboard's htmx forms do (form-encoded, `hx-request`); POST unless told. */
  form(
    path: string,
    fields: Record<string, string>,
    init?: { method?: string; cookie?: string },
  ): Promise<Response>;
}

export function tempDir(prefix = "switchyard-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startServer(overrides: Partial<ServeConfig> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDir();
  const running = await serve({
    port: 0,
    host: "127.0.0.1",
    dataDir,
    // Never the real home: a test that sets a coding tool up writes inside its own folder.
    toolsHome: join(dataDir, "tools-home"),
    logLevel: "silent",
    initialPassword: TEST_PASSWORD,
    shutdownGraceMs: 2000,
    ...overrides,
  });
  const call: TestServer["call"] = (path, init = {}) => {
    const { json, cookie, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (json !== undefined) headers.set("content-type", "application/json");
    if (cookie) headers.set("cookie", cookie);
    return fetch(`${running.url}${path}`, {
      ...rest,
      headers,
      redirect: "manual",
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  };
  return {
    url: running.url,
    dataDir,
    context: running.context,
    call,
    form: (path, fields, { method = "POST", cookie } = {}) =>
      call(path, {
        method,
        ...(cookie ? { cookie } : {}),
        headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" },
        body: new URLSearchParams(fields).toString(),
      }),
    async login() {
      const response = await call("/api/auth/login", { method: "POST", json: { password: TEST_PASSWORD } });
      if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
      return response.headers.getSetCookie()[0]!.split(";")[0]!;
    },
    async [Symbol.asyncDispose]() {
      await running.shutdown();
      if (overrides.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
