/**
 * `/api/translator/*`: the translation playground. Detect a body's dialect, translate it into
 * another through the IR (the gateway's own codecs), send it through the gateway, keep a short
 * history of runs (in memory, for the live monitor), and save and load bodies by name.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import type { TranslatorSnippetRow } from "../store/schema.ts";
import { codecFor, DIALECTS, type Dialect, detect, WireError } from "../wire/index.ts";
import type { GatewayCaller } from "./console-call.ts";
import { type FieldProblem, managementError } from "./errors.ts";

/** OmniRoute's format names, accepted beside ours. */
const FORMAT_ALIASES: Readonly<Record<string, Dialect>> = {
  openai: "openai-chat",
  claude: "anthropic",
  "openai-response": "openai-responses",
};

export function dialectOf(format: string): Dialect | undefined {
  const name = format.trim().toLowerCase();
  return FORMAT_ALIASES[name] ?? DIALECTS.find((dialect) => dialect === name);
}

const FORMAT_HINT = `one of ${DIALECTS.join(", ")} (or openai, claude)`;

export function unknownFormat(field: string, format: string): FieldProblem {
  return { field, message: `'${format}' is not a known format: ${FORMAT_HINT}` };
}

const HISTORY_SIZE = 100;

export interface TranslatorRun {
  id: string;
  at: string;
  action: "detect" | "translate" | "send";
  sourceFormat: Dialect | null;
  targetFormat: Dialect | null;
  model: string | null;
  status: number;
  latencyMs: number;
  error: string | null;
}

function publicSnippet(row: TranslatorSnippetRow) {
  return {
    name: row.name,
    sourceFormat: row.sourceFormat,
    targetFormat: row.targetFormat,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Request bodies are any JSON object. Declared unknown and checked here, because Elysia's
 * normalisation would turn a string or an array given for a `t.Record` into an object.
 */
const jsonBody = t.Unknown();

export function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export const notAnObject = (field: string) =>
  managementError(`${field} must be a JSON object`, [{ field, message: "must be a JSON object" }]);

export function translatorRoutes(context: AppContext, callGateway: GatewayCaller) {
  const history: TranslatorRun[] = [];
  const remember = (run: Omit<TranslatorRun, "id" | "at" | "latencyMs">, startedAt: number) => {
    history.unshift({
      id: crypto.randomUUID(),
      at: new Date().toISOString(),
      latencyMs: Math.round((performance.now() - startedAt) * 10) / 10,
      ...run,
    });
    history.length = Math.min(history.length, HISTORY_SIZE);
  };

  return new Elysia()
    .post(
      "/api/translator/detect",
      ({ body, status }) => {
        const startedAt = performance.now();
        if (asObject(body.body) === undefined) return status(400, notAnObject("body"));
        const format = detect(body.body, body.path) ?? null;
        remember(
          {
            action: "detect",
            sourceFormat: format,
            targetFormat: null,
            model: null,
            status: 200,
            error: null,
          },
          startedAt,
        );
        return { format, detected: format !== null };
      },
      { body: t.Object({ body: jsonBody, path: t.Optional(t.String()) }) },
    )
    .post(
      "/api/translator/translate",
      ({ body, status }) => {
        const startedAt = performance.now();
        const request = asObject(body.body);
        if (request === undefined) return status(400, notAnObject("body"));
        const source = dialectOf(body.sourceFormat);
        const target = dialectOf(body.targetFormat);
        const problems = [
          ...(source === undefined ? [unknownFormat("sourceFormat", body.sourceFormat)] : []),
          ...(target === undefined ? [unknownFormat("targetFormat", body.targetFormat)] : []),
        ];
        if (source === undefined || target === undefined) {
          return status(400, managementError("Unknown format", problems));
        }
        const model = typeof request.model === "string" ? request.model : null;
        const run = { action: "translate", sourceFormat: source, targetFormat: target, model } as const;
        try {
          const ir = codecFor(source).decodeRequest(request, model === null ? {} : { model });
          const translated = codecFor(target).encodeRequest(ir);
          remember({ ...run, status: 200, error: null }, startedAt);
          return { sourceFormat: source, targetFormat: target, body: translated, ir };
        } catch (error) {
          if (!(error instanceof WireError)) throw error;
          remember({ ...run, status: 400, error: error.message }, startedAt);
          return status(
            400,
            managementError(`Cannot translate from ${source} to ${target}: ${error.message}`, [
              { field: error.error.param ? `body.${error.error.param}` : "body", message: error.message },
            ]),
          );
        }
      },
      {
        body: t.Object({
          sourceFormat: t.String({ minLength: 1 }),
          targetFormat: t.String({ minLength: 1 }),
          body: jsonBody,
        }),
      },
    )
    .post(
      "/api/translator/send",
      async ({ body, status }) => {
        const startedAt = performance.now();
        const request = asObject(body.body);
        if (request === undefined) return status(400, notAnObject("body"));
        const dialect = body.sourceFormat === undefined ? detect(request) : dialectOf(body.sourceFormat);
        if (dialect === undefined) {
          return status(
            400,
            managementError("The body's format is not known", [
              body.sourceFormat === undefined
                ? {
                    field: "sourceFormat",
                    message: `the body's format could not be detected; give ${FORMAT_HINT}`,
                  }
                : unknownFormat("sourceFormat", body.sourceFormat),
            ]),
          );
        }
        const model = body.model ?? (typeof request.model === "string" ? request.model : undefined);
        if (model === undefined || model.trim() === "") {
          return status(
            400,
            managementError("Sending needs a model", [
              { field: "model", message: "give `model`, or a `model` in the body" },
            ]),
          );
        }
        const response = await callGateway({
          dialect,
          body: request,
          model,
          ...(body.provider !== undefined && { provider: body.provider }),
        });
        remember(
          {
            action: "send",
            sourceFormat: dialect,
            targetFormat: null,
            model,
            status: response.status,
            error: response.ok ? null : `upstream answered ${response.status}`,
          },
          startedAt,
        );
        return response;
      },
      {
        body: t.Object({
          body: jsonBody,
          provider: t.Optional(t.String({ minLength: 1 })),
          model: t.Optional(t.String({ minLength: 1 })),
          sourceFormat: t.Optional(t.String({ minLength: 1 })),
        }),
      },
    )
    .get("/api/translator/history", () => ({ history }))
    .get(
      "/api/translator/load",
      ({ query, status }) => {
        if (query.name === undefined) {
          return { snippets: context.translatorSnippets.list().map(publicSnippet) };
        }
        const row = context.translatorSnippets.get(query.name);
        return row === undefined
          ? status(404, managementError(`No saved translation named ${query.name}`))
          : { snippet: publicSnippet(row) };
      },
      { query: t.Object({ name: t.Optional(t.String({ minLength: 1 })) }) },
    )
    .post(
      "/api/translator/save",
      ({ body, status }) => {
        const snippet = asObject(body.body);
        if (snippet === undefined) return status(400, notAnObject("body"));
        const problems = (["sourceFormat", "targetFormat"] as const).flatMap((field) => {
          const format = body[field];
          return format !== undefined && dialectOf(format) === undefined
            ? [unknownFormat(field, format)]
            : [];
        });
        if (problems.length > 0) return status(400, managementError("Unknown format", problems));
        const row = context.translatorSnippets.save({
          name: body.name.trim(),
          body: snippet,
          sourceFormat: body.sourceFormat === undefined ? null : dialectOf(body.sourceFormat)!,
          targetFormat: body.targetFormat === undefined ? null : dialectOf(body.targetFormat)!,
        });
        return { ok: true, snippet: publicSnippet(row) };
      },
      {
        body: t.Object({
          name: t.String({ minLength: 1, maxLength: 200, pattern: "\\S" }),
          body: jsonBody,
          sourceFormat: t.Optional(t.String()),
          targetFormat: t.Optional(t.String()),
        }),
      },
    );
}
