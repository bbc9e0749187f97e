/**
 * API documentation: our own openapi.yaml (embedded) is the document, served as YAML at
 * /openapi.yaml and as JSON at /openapi.json; Swagger UI at /docs renders it from embedded
 * assets through @elysia/openapi. Route-generated paths are excluded so that the document is
 * exactly the file that the contract test keeps in step with the routes.
 */
import { type ElysiaOpenAPIConfig, type OpenAPIVersion, openapi } from "@elysia/openapi";
import { Elysia } from "elysia";
import specPath from "../../openapi.yaml" with { type: "file" };

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export async function loadOpenApi(): Promise<{ yaml: string; document: OpenApiDocument }> {
  const yaml = await Bun.file(specPath).text();
  return { yaml, document: Bun.YAML.parse(yaml) as OpenApiDocument };
}

export async function apiDocs() {
  const { yaml, document } = await loadOpenApi();
  return new Elysia()
    .get(
      "/openapi.yaml",
      () => new Response(yaml, { headers: { "content-type": "application/yaml; charset=utf-8" } }),
    )
    .use(
      openapi({
        path: "/docs",
        specPath: "/openapi.json",
        provider: "swagger-ui",
        openapiVersion: document.openapi as OpenAPIVersion,
        documentation: document as NonNullable<ElysiaOpenAPIConfig["documentation"]>,
        exclude: { paths: [/.*/] },
        swagger: {
          cdn: "/static/vendor/swagger-ui-bundle.js",
          theme: "/static/vendor/swagger-ui.css",
          autoDarkMode: true,
        },
      }),
    );
}
