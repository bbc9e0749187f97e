/**
 * `/api/providers` (connections: accounts at a provider) and `/api/provider-nodes` (custom
 * OpenAI-/Anthropic-compatible endpoints). Keys are encrypted on the way in and never returned;
 * tests and validation ask the upstream live.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { PROVIDERS, providerSpec } from "../providers/catalog.ts";
import { type Endpoint, endpointFor, operationUrl } from "../providers/endpoint.ts";
import { probeModels } from "../providers/models.ts";
import { proxyFor, proxyUrlProblem, readProxySettings } from "../providers/proxy.ts";
import { preview } from "../security/secrets.ts";
import type { ProviderConnectionRow, ProviderNodeRow } from "../store/schema.ts";
import { type FieldProblem, managementError } from "./errors.ts";

const NODE_TYPES = ["openai-compatible", "anthropic-compatible"] as const;

export function publicConnection(context: AppContext, row: ProviderConnectionRow) {
  const spec = providerSpec(row.provider);
  const node = spec ? undefined : context.providers.findNode(row.provider);
  return {
    id: row.id,
    provider: spec?.id ?? node?.id ?? row.provider,
    providerName: spec?.name ?? node?.name ?? row.provider,
    name: row.name,
    url: row.baseUrl ?? spec?.baseUrl ?? node?.baseUrl ?? null,
    baseUrl: row.baseUrl,
    isActive: row.isActive,
    priority: row.priority,
    defaultModel: row.defaultModel,
    flatRate: row.flatRate,
    hasApiKey: row.apiKeyEncrypted !== null,
    apiKeyPreview: row.apiKeyEncrypted ? preview(context.secrets.open(row.apiKeyEncrypted)) : null,
    /** Header names only: their values may be credentials. */
    headerNames: Object.keys(row.headers ?? {}),
    providerSpecificData: row.providerSpecificData ?? {},
    testStatus: row.testStatus,
    lastError: row.lastError,
    lastTestedAt: row.lastTestedAt?.toISOString() ?? null,
    models: row.models ?? [],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function publicNode(row: ProviderNodeRow) {
  return {
    id: row.id,
    type: row.type,
    apiType: row.apiType,
    name: row.name,
    prefix: row.prefix,
    baseUrl: row.baseUrl,
    createdAt: row.createdAt.toISOString(),
  };
}

const connectionFields = {
  provider: t.String({ minLength: 1 }),
  name: t.Optional(t.String({ maxLength: 200 })),
  apiKey: t.Optional(t.String()),
  url: t.Optional(t.String()),
  baseUrl: t.Optional(t.String()),
  priority: t.Optional(t.Integer()),
  isActive: t.Optional(t.Boolean()),
  defaultModel: t.Optional(t.Union([t.String(), t.Null()])),
  flatRate: t.Optional(t.Boolean()),
  headers: t.Optional(t.Record(t.String(), t.String())),
  providerSpecificData: t.Optional(t.Record(t.String(), t.Unknown())),
};
const connectionBody = t.Object(connectionFields);
const connectionPatch = t.Partial(t.Object(connectionFields));
type ConnectionInput = Partial<(typeof connectionBody)["static"]>;

const nodeFields = {
  type: t.String(),
  apiType: t.Optional(t.String()),
  name: t.String({ minLength: 1, maxLength: 200 }),
  prefix: t.String({ minLength: 1, maxLength: 64 }),
  baseUrl: t.String({ minLength: 1 }),
};
const nodeBody = t.Object(nodeFields);
const nodePatch = t.Partial(t.Object(nodeFields));

function invalid(problems: FieldProblem[]) {
  return managementError(
    problems.map((problem) => `${problem.field}: ${problem.message}`).join("; "),
    problems,
  );
}

function checkUrl(field: string, value: string | undefined, problems: FieldProblem[]): void {
  if (value === undefined || value === "") return;
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      problems.push({ field, message: "must be an http(s) URL" });
    if (/[{}]/.test(value))
      problems.push({ field, message: "replace the {placeholders} with your own values" });
  } catch {
    problems.push({ field, message: "is not a URL" });
  }
}

/** The live model-list check, through the proxy the gateway would use. */
function probe(context: AppContext, endpoint: Endpoint) {
  const proxy = proxyFor(endpoint, operationUrl(endpoint, "models", ""), readProxySettings(context.settings));
  return probeModels(endpoint, proxy);
}

function connectionEndpoint(context: AppContext, row: ProviderConnectionRow): Endpoint | undefined {
  const apiKey = row.apiKeyEncrypted ? context.secrets.open(row.apiKeyEncrypted) : undefined;
  return endpointFor(row, apiKey, (id) => context.providers.findNode(id));
}

/** Asks the upstream for its models and records the outcome (status, error, model list) on the connection. */
export async function testConnection(context: AppContext, row: ProviderConnectionRow) {
  const endpoint = connectionEndpoint(context, row);
  const result = endpoint
    ? await probe(context, endpoint)
    : {
        valid: false,
        statusCode: null,
        latencyMs: 0,
        error: "the provider of this connection no longer exists",
        models: [],
      };
  if (result.valid) context.health.enable(row.id);
  context.providers.updateConnection(row.id, {
    testStatus: result.valid ? "active" : "error",
    lastError: result.error,
    lastTestedAt: new Date(),
    ...(result.valid && result.models.length > 0 ? { models: result.models } : {}),
  });
  return {
    id: row.id,
    valid: result.valid,
    statusCode: result.statusCode,
    latencyMs: result.latencyMs,
    error: result.error,
  };
}

export function providerRoutes(context: AppContext) {
  const { providers, secrets } = context;

  /** What a create or update would store, checked; `current` is the row being updated. */
  function validateConnection(input: ConnectionInput, current?: ProviderConnectionRow): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const provider = input.provider ?? current?.provider ?? "";
    const spec = providerSpec(provider);
    const node = spec ? undefined : providers.findNode(provider);
    if (!spec && !node) {
      problems.push({
        field: "provider",
        message: `unknown provider '${provider}' (a catalogue id such as openai, or a provider node's id or prefix)`,
      });
      return problems;
    }
    const baseUrl = input.url ?? input.baseUrl ?? stringOf(input.providerSpecificData?.baseUrl);
    checkUrl(input.url !== undefined ? "url" : "baseUrl", baseUrl, problems);
    const proxy = stringOf(input.providerSpecificData?.proxy);
    const proxyProblem = proxy && proxy !== "none" ? proxyUrlProblem(proxy) : undefined;
    if (proxyProblem) problems.push({ field: "providerSpecificData.proxy", message: proxyProblem });
    const hasKey =
      (input.apiKey ?? "") !== "" || (input.apiKey === undefined && current?.apiKeyEncrypted != null);
    if (spec && spec.auth !== "none" && !spec.local && !hasKey)
      problems.push({ field: "apiKey", message: `${spec.name} needs an API key` });
    const effectiveUrl = baseUrl ?? current?.baseUrl ?? spec?.baseUrl ?? "";
    if (/[{}]/.test(effectiveUrl) && baseUrl === undefined) {
      problems.push({
        field: "url",
        message: `${spec?.name ?? provider} needs your own URL (${effectiveUrl})`,
      });
    }
    return problems;
  }

  function toRow(input: ConnectionInput) {
    const spec = providerSpec(input.provider ?? "");
    const node = spec ? undefined : providers.findNode(input.provider ?? "");
    const baseUrl = input.url ?? input.baseUrl ?? stringOf(input.providerSpecificData?.baseUrl);
    return {
      ...(input.provider !== undefined ? { provider: spec?.id ?? node?.id ?? input.provider } : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.apiKey !== undefined
        ? { apiKeyEncrypted: input.apiKey === "" ? null : secrets.seal(input.apiKey) }
        : {}),
      ...(baseUrl !== undefined ? { baseUrl: baseUrl === "" ? null : baseUrl } : {}),
      ...(input.priority !== undefined ? { priority: input.priority } : {}),
      ...(input.isActive !== undefined ? { isActive: input.isActive } : {}),
      ...(input.defaultModel !== undefined ? { defaultModel: input.defaultModel } : {}),
      ...(input.flatRate !== undefined ? { flatRate: input.flatRate } : {}),
      ...(input.headers !== undefined ? { headers: input.headers } : {}),
      ...(input.providerSpecificData !== undefined
        ? { providerSpecificData: input.providerSpecificData }
        : {}),
    };
  }

  const notFound = (id: string) => managementError(`No provider connection with id ${id}`);

  const update = ({
    params,
    body,
    status,
  }: {
    params: { id: string };
    body: ConnectionInput;
    status: (code: 400 | 404, body: unknown) => unknown;
  }) => {
    const current = providers.getConnection(params.id);
    if (!current) return status(404, notFound(params.id));
    const problems = validateConnection(body, current);
    if (problems.length > 0) return status(400, invalid(problems));
    const updated = providers.updateConnection(params.id, toRow(body))!;
    context.health.enable(updated.id);
    return { connection: publicConnection(context, updated) };
  };

  const nodeUpdate = ({
    params,
    body,
    status,
  }: {
    params: { id: string };
    body: Partial<(typeof nodeBody)["static"]>;
    status: (code: 400 | 404, body: unknown) => unknown;
  }) => {
    const current = providers.getNode(params.id);
    if (!current) return status(404, managementError(`No provider node with id ${params.id}`));
    const problems = validateNode({ ...publicNode(current), ...body }, current.id);
    if (problems.length > 0) return status(400, invalid(problems));
    return { node: publicNode(providers.updateNode(params.id, body)!) };
  };

  function validateNode(input: (typeof nodeBody)["static"], selfId?: string): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if (!(NODE_TYPES as readonly string[]).includes(input.type))
      problems.push({ field: "type", message: `one of ${NODE_TYPES.join(", ")}` });
    if (input.apiType !== undefined && !["chat", "responses"].includes(input.apiType))
      problems.push({ field: "apiType", message: "chat or responses" });
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(input.prefix))
      problems.push({
        field: "prefix",
        message: "letters, digits, '.', '_' and '-' only (it is used as '<prefix>/<model>')",
      });
    if (providerSpec(input.prefix))
      problems.push({ field: "prefix", message: `'${input.prefix}' is a built-in provider's id` });
    const clash = providers.findNode(input.prefix);
    if (clash && clash.id !== selfId)
      problems.push({ field: "prefix", message: `'${input.prefix}' is taken by node ${clash.name}` });
    checkUrl("baseUrl", input.baseUrl, problems);
    return problems;
  }

  return new Elysia()
    .get("/api/providers", () => ({
      connections: providers.listConnections().map((row) => publicConnection(context, row)),
    }))
    .get("/api/providers/client", () => ({
      providers: PROVIDERS.map((spec) => ({
        id: spec.id,
        name: spec.name,
        dialect: spec.dialect,
        local: spec.local ?? false,
        needsApiKey: spec.auth !== "none" && !spec.local,
      })),
      nodes: providers.listNodes().map(publicNode),
      connections: providers.listConnections().map((row) => {
        const { id, provider, providerName, name, isActive, priority, testStatus, models } = publicConnection(
          context,
          row,
        );
        return { id, provider, providerName, name, isActive, priority, testStatus, models };
      }),
    }))
    .post(
      "/api/providers",
      ({ body, status }) => {
        const problems = validateConnection(body);
        if (problems.length > 0) return status(400, invalid(problems));
        const row = providers.createConnection({
          id: crypto.randomUUID(),
          name: body.name?.trim() || providerSpec(body.provider)?.name || body.provider,
          provider: body.provider,
          ...toRow(body),
        });
        return status(201, { connection: publicConnection(context, row) });
      },
      { body: connectionBody },
    )
    .post(
      "/api/providers/validate",
      async ({ body, status }) => {
        const problems = validateConnection(body);
        if (problems.length > 0) return status(400, invalid(problems));
        const row = toRow(body);
        const endpoint = endpointFor(
          {
            provider: row.provider ?? body.provider,
            baseUrl: row.baseUrl ?? null,
            headers: body.headers ?? null,
            providerSpecificData: body.providerSpecificData ?? null,
          },
          body.apiKey || undefined,
          (id) => providers.findNode(id),
        );
        const { models, ...result } = await probe(context, endpoint!);
        return { ...result, modelCount: models.length };
      },
      { body: connectionBody },
    )
    .post(
      "/api/providers/test-batch",
      async ({ body }) => {
        const ids = body?.ids ?? providers.listConnections().map((row) => row.id);
        const results = await Promise.all(
          ids.map((id) => {
            const row = providers.getConnection(id);
            return row
              ? testConnection(context, row)
              : { id, valid: false, statusCode: null, latencyMs: 0, error: "no such connection" };
          }),
        );
        return { results };
      },
      { body: t.Optional(t.Object({ ids: t.Optional(t.Array(t.String())) })) },
    )
    .get("/api/providers/:id", ({ params, status }) => {
      const row = providers.getConnection(params.id);
      return row ? { connection: publicConnection(context, row) } : status(404, notFound(params.id));
    })
    .patch("/api/providers/:id", update, { body: connectionPatch })
    .put("/api/providers/:id", update, { body: connectionPatch })
    .delete("/api/providers/:id", ({ params, status }) =>
      providers.deleteConnection(params.id) ? { ok: true, id: params.id } : status(404, notFound(params.id)),
    )
    .post("/api/providers/:id/test", async ({ params, status }) => {
      const row = providers.getConnection(params.id);
      return row ? testConnection(context, row) : status(404, notFound(params.id));
    })
    .get("/api/providers/:id/models", async ({ params, status }) => {
      const row = providers.getConnection(params.id);
      if (!row) return status(404, notFound(params.id));
      const endpoint = connectionEndpoint(context, row);
      if (!endpoint) return status(404, notFound(params.id));
      const result = await probe(context, endpoint);
      if (!result.valid)
        return status(502, managementError(`The upstream did not list its models: ${result.error}`));
      providers.updateConnection(row.id, {
        models: result.models,
        testStatus: "active",
        lastError: null,
        lastTestedAt: new Date(),
      });
      return {
        connectionId: row.id,
        provider: endpoint.prefix,
        models: result.models.map((id) => ({ id, name: id })),
      };
    })
    .get("/api/provider-nodes", () => ({ nodes: providers.listNodes().map(publicNode) }))
    .post(
      "/api/provider-nodes",
      ({ body, status }) => {
        const problems = validateNode(body);
        if (problems.length > 0) return status(400, invalid(problems));
        const node = providers.createNode({
          id: crypto.randomUUID(),
          apiType: body.apiType ?? "chat",
          ...body,
        });
        return status(201, { node: publicNode(node) });
      },
      { body: nodeBody },
    )
    .post(
      "/api/provider-nodes/validate",
      async ({ body, status }) => {
        const problems = validateNode({ name: "validate", prefix: "validate-node", ...body });
        if (problems.length > 0) return status(400, invalid(problems));
        const candidate = {
          id: "validate",
          prefix: "validate-node",
          apiType: body.apiType ?? "chat",
          ...body,
        };
        const endpoint = endpointFor(
          { provider: candidate.id, baseUrl: null, headers: null, providerSpecificData: null },
          body.apiKey || undefined,
          () => candidate,
        );
        const { models, ...result } = await probe(context, endpoint!);
        return { ...result, modelCount: models.length };
      },
      {
        body: t.Object({
          type: t.String(),
          apiType: t.Optional(t.String()),
          baseUrl: t.String({ minLength: 1 }),
          apiKey: t.Optional(t.String()),
        }),
      },
    )
    .patch("/api/provider-nodes/:id", nodeUpdate, { body: nodePatch })
    .put("/api/provider-nodes/:id", nodeUpdate, { body: nodePatch })
    .delete("/api/provider-nodes/:id", ({ params, status }) =>
      providers.deleteNode(params.id)
        ? { ok: true, id: params.id }
        : status(404, managementError(`No provider node with id ${params.id}`)),
    );
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
