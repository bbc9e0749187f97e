/**
 * Files served under /static, embedded into the binary by `bun build --compile` through these
 * `with { type: "file" }` imports (from source they are plain paths). Nothing comes from a CDN.
 */
import { Elysia } from "elysia";
import htmxSse from "htmx.org/dist/ext/hx-sse.min.js" with { type: "file" };
import htmx from "htmx.org/dist/htmx.min.js" with { type: "file" };
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import appCss from "../../static/app.css" with { type: "file" };
import appJs from "../../static/app.js" with { type: "file" };

const ASSETS: Record<string, { path: string; type: string }> = {
  "app.css": { path: appCss, type: "text/css; charset=utf-8" },
  "app.js": { path: appJs, type: "text/javascript; charset=utf-8" },
  "htmx.min.js": { path: htmx, type: "text/javascript; charset=utf-8" },
  "hx-sse.min.js": { path: htmxSse, type: "text/javascript; charset=utf-8" },
  "vendor/swagger-ui.css": { path: swaggerCss, type: "text/css; charset=utf-8" },
  "vendor/swagger-ui-bundle.js": { path: swaggerBundle, type: "text/javascript; charset=utf-8" },
};

export const STATIC_PREFIX = "/static/";

export function staticAssets() {
  const routes = new Elysia();
  for (const [name, asset] of Object.entries(ASSETS)) {
    routes.get(
      `${STATIC_PREFIX}${name}`,
      () =>
        new Response(Bun.file(asset.path), {
          headers: { "content-type": asset.type, "cache-control": "public, max-age=3600" },
        }),
    );
  }
  return routes;
}
