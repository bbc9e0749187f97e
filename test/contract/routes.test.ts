/**
 * openapi.yaml documents exactly what we serve: every path+method in it is routed, and every
 * route the app serves is in it.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import { type App, createApp } from "../../src/app.ts";
import { createContext } from "../../src/context.ts";
import { loadOpenApi } from "../../src/ops/docs.ts";
import { createLogger } from "../../src/ops/log.ts";
import { openStore } from "../../src/store/db.ts";
import { tempDir } from "../helpers/server.ts";
import { OMNIROUTE_OPERATIONS } from "./omniroute-operations.ts";

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];
let app: App;
let dir: string;
beforeAll(async () => {
  dir = tempDir();
  app = await createApp(createContext(openStore(dir), createLogger("silent")));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function served(): Set<string> {
  return new Set(
    app.routes
      .filter((route) => METHODS.includes(route.method.toLowerCase()))
      .map(
        (route) =>
          `${route.method.toUpperCase()} ${route.path.replace(/:(\w+)/g, "{$1}").replace(/\*$/, "{path}")}`,
      ),
  );
}

async function documented(): Promise<Set<string>> {
  const { document } = await loadOpenApi();
  const entries = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of Object.keys(item))
      if (METHODS.includes(method)) entries.add(`${method.toUpperCase()} ${path}`);
  }
  return entries;
}

describe("openapi.yaml and the routes", () => {
  it("routes every documented path and method", async () => {
    const routes = served();
    expect([...(await documented())].filter((entry) => !routes.has(entry))).toEqual([]);
  });

  it("documents every route the app serves", async () => {
    const docs = await documented();
    expect([...served()].filter((entry) => !docs.has(entry))).toEqual([]);
  });

  it("routes every operation of OmniRoute's API, the one our users' scripts speak", () => {
    const routes = served();
    const shape = (entry: string) => entry.replace(/\{[^}]+\}/g, "{}");
    const shapes = new Set([...routes].map(shape));
    expect(OMNIROUTE_OPERATIONS.filter((operation) => !shapes.has(shape(operation)))).toEqual([]);
  });

  it("serves the document as JSON and YAML, and a docs page that loads nothing from a CDN", async () => {
    const json = (await (await app.handle(new Request("http://localhost/openapi.json"))).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(json.openapi).toBe("3.1.0");
    expect(Object.keys(json.paths)).toContain("/api/keys");
    const yaml = await (await app.handle(new Request("http://localhost/openapi.yaml"))).text();
    expect(yaml).toStartWith("openapi: 3.1.0");
    const page = await (await app.handle(new Request("http://localhost/docs"))).text();
    const sources = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((source) => /^(https?:)?\/\//.test(source))).toEqual([]);
    for (const source of sources) {
      const asset = await app.handle(new Request(`http://localhost${source}`));
      expect(asset.status).toBe(200);
    }
  });
});
