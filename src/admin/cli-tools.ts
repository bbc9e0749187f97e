/**
 * `/api/cli-tools/*`: the coding tools on the server's machine (src/tools/). For each tool,
 * `<tool>-settings` shows how it is set up (GET), points it at Switchyard (POST: a new key is made
 * for it unless one is given) and takes Switchyard out again (DELETE); every change is preceded by
 * a backup of its files. `runtime/{tool}` says whether it is installed, `guide-settings/{tool}`
 * gives the files to write by hand on another machine, `codex-profiles` manages Codex's profile
 * files, and `backups` lists, takes and restores the backups.
 */
import { Elysia, t } from "elysia";
import { DEFAULT_PORT } from "../config.ts";
import type { AppContext } from "../context.ts";
import { createApiKey, hashSecret } from "../security/api-keys.ts";
import { deleteProfile, listProfiles, PROFILE_NAME, readProfile, writeProfile } from "../tools/codex.ts";
import { ConfigFileProblem, type Connection, TOOLS, type ToolSetup, toolById } from "../tools/index.ts";
import { type FieldProblem, managementError } from "./errors.ts";

const model = t.String({ minLength: 1, maxLength: 200 });

const applyBody = t.Object({
  /** A Switchyard key to write; without one, a key is made for the tool. */
  apiKey: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
  /** Where the tool reaches Switchyard; default this server on loopback. */
  baseUrl: t.Optional(t.String({ minLength: 1, maxLength: 500 })),
  model: t.Optional(model),
  smallModel: t.Optional(model),
});

const profileBody = t.Object({
  name: t.String({ minLength: 1, maxLength: 64 }),
  model: t.Optional(model),
  reasoningEffort: t.Optional(
    t.Union([
      t.Literal("minimal"),
      t.Literal("low"),
      t.Literal("medium"),
      t.Literal("high"),
      t.Literal("xhigh"),
      t.Null(),
    ]),
  ),
});

/** The origin a client on this machine reaches this server at. */
function loopbackOrigin(request: Request): string {
  const url = new URL(request.url);
  return `http://127.0.0.1:${url.port || DEFAULT_PORT}`;
}

/** `baseUrl` as an origin (path dropped: each tool adds its API's own), or the problem with it. */
function originOf(baseUrl: string): string | FieldProblem {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { field: "baseUrl", message: "must be an absolute http(s) URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { field: "baseUrl", message: "must be an absolute http(s) URL" };
  return url.origin;
}

export function cliToolRoutes(context: AppContext) {
  const { tools, apiKeys } = context;
  /** A tool's file that cannot be read or written: 409 with the path and why; anything else is thrown on. */
  const fileProblem = (error: unknown, status: (code: 409, body: unknown) => unknown) => {
    if (error instanceof ConfigFileProblem) return status(409, managementError(error.message));
    throw error;
  };

  /** The connection a POST asks for, and the key made for it; or the problems with the body. */
  const connectionFor = (
    tool: ToolSetup,
    body: typeof applyBody.static,
    request: Request,
  ): { connection: Connection; createdKeyId?: string } | { problems: FieldProblem[] } => {
    const problems: FieldProblem[] = [];
    const origin = body.baseUrl === undefined ? loopbackOrigin(request) : originOf(body.baseUrl);
    if (typeof origin !== "string") problems.push(origin);
    if (tool.needsModel && body.model === undefined)
      problems.push({ field: "model", message: `${tool.name} needs the model to use` });
    const given = body.apiKey === undefined ? undefined : apiKeys.findByHash(hashSecret(body.apiKey));
    if (body.apiKey !== undefined && (given === undefined || !given.isActive))
      problems.push({ field: "apiKey", message: "is not an active Switchyard API key" });
    if (problems.length > 0 || typeof origin !== "string") return { problems };
    let apiKey = body.apiKey;
    let createdKeyId: string | undefined;
    if (apiKey === undefined) {
      const created = createApiKey(apiKeys, `${tool.name} (CLI tools)`, false);
      apiKey = created.secret;
      createdKeyId = created.row.id;
    }
    const connection: Connection = {
      origin,
      apiKey,
      ...(body.model ? { model: body.model } : {}),
      ...(body.smallModel ? { smallModel: body.smallModel } : {}),
    };
    return { connection, ...(createdKeyId ? { createdKeyId } : {}) };
  };

  const app = new Elysia();
  for (const tool of TOOLS) {
    const path = `/api/cli-tools/${tool.id}-settings`;
    app
      .get(path, async ({ status }) => {
        try {
          return await tools.status(tool);
        } catch (error) {
          return fileProblem(error, status);
        }
      })
      .post(
        path,
        async ({ body, request, status }) => {
          try {
            // Before a key is made for it: a config that cannot be read is not written.
            tools.check(tool);
            const asked = connectionFor(tool, body, request);
            if ("problems" in asked)
              return status(400, managementError("Cannot set the tool up", asked.problems));
            const backup = tools.apply(tool, asked.connection);
            return {
              ...(await tools.status(tool)),
              backupId: backup.id,
              ...(asked.createdKeyId ? { createdKeyId: asked.createdKeyId } : {}),
            };
          } catch (error) {
            return fileProblem(error, status);
          }
        },
        { body: applyBody },
      )
      .delete(path, async ({ status }) => {
        try {
          const backup = tools.reset(tool);
          return { ...(await tools.status(tool)), reset: backup !== undefined, backupId: backup?.id ?? null };
        } catch (error) {
          return fileProblem(error, status);
        }
      });
  }

  return app
    .get("/api/cli-tools/runtime/:toolId", async ({ params, status }) => {
      const tool = toolById(params.toolId);
      if (!tool) return status(404, noSuchTool(params.toolId));
      try {
        const { tool: id, name, runtime, files } = await tools.status(tool);
        return { tool: id, name, ...runtime, configPaths: files.map((file) => file.path) };
      } catch (error) {
        return fileProblem(error, status);
      }
    })
    .get(
      "/api/cli-tools/guide-settings/:toolId",
      ({ params, query, request, status }) => {
        const tool = toolById(params.toolId);
        if (!tool) return status(404, noSuchTool(params.toolId));
        const origin = query.baseUrl === undefined ? new URL(request.url).origin : originOf(query.baseUrl);
        if (typeof origin !== "string")
          return status(400, managementError("Cannot write the guide", [origin]));
        const connection: Connection = {
          origin,
          apiKey: "<your Switchyard API key>",
          model: query.model ?? "<model>",
          ...(query.smallModel ? { smallModel: query.smallModel } : {}),
        };
        return { tool: tool.id, name: tool.name, files: tools.guide(tool, connection) };
      },
      {
        query: t.Object({
          model: t.Optional(model),
          smallModel: t.Optional(model),
          baseUrl: t.Optional(t.String()),
        }),
      },
    )
    .get("/api/cli-tools/codex-profiles", ({ status }) => {
      try {
        return { profiles: listProfiles(tools.home) };
      } catch (error) {
        return fileProblem(error, status);
      }
    })
    .post(
      "/api/cli-tools/codex-profiles",
      ({ body, status }) => {
        const problem = profileProblem(body);
        if (problem) return status(400, managementError("Cannot create the profile", [problem]));
        if (body.model === undefined)
          return status(
            400,
            managementError("Cannot create the profile", [{ field: "model", message: "required" }]),
          );
        try {
          if (readProfile(tools.home, body.name))
            return status(409, managementError(`Codex already has a profile '${body.name}'; PUT changes it`));
          return status(201, { profile: writeProfile(tools.home, body.name, change(body)) });
        } catch (error) {
          return fileProblem(error, status);
        }
      },
      { body: profileBody },
    )
    .put(
      "/api/cli-tools/codex-profiles",
      ({ body, status }) => {
        const problem = profileProblem(body);
        if (problem) return status(400, managementError("Cannot change the profile", [problem]));
        try {
          if (!readProfile(tools.home, body.name))
            return status(404, managementError(`Codex has no profile '${body.name}'`));
          return { profile: writeProfile(tools.home, body.name, change(body)) };
        } catch (error) {
          return fileProblem(error, status);
        }
      },
      { body: profileBody },
    )
    .delete(
      "/api/cli-tools/codex-profiles",
      ({ body, query, status }) => {
        const name = body?.name ?? query.name;
        if (name === undefined || !PROFILE_NAME.test(name))
          return status(
            400,
            managementError("Which profile?", [{ field: "name", message: "give the profile's name" }]),
          );
        try {
          if (!deleteProfile(tools.home, name))
            return status(404, managementError(`Codex has no profile '${name}'`));
        } catch (error) {
          return fileProblem(error, status);
        }
        return { ok: true, deleted: name };
      },
      {
        body: t.Optional(t.Object({ name: t.Optional(t.String()) })),
        query: t.Object({ name: t.Optional(t.String()) }),
      },
    )
    .get(
      "/api/cli-tools/backups",
      ({ query, status }) => {
        if (query.tool !== undefined && !toolById(query.tool)) return status(404, noSuchTool(query.tool));
        return { backups: tools.backups.list(query.tool) };
      },
      { query: t.Object({ tool: t.Optional(t.String()) }) },
    )
    .post(
      "/api/cli-tools/backups",
      ({ body, status }) => {
        if (body?.action === "restore") {
          const backup = body.backupId === undefined ? undefined : tools.backups.find(body.backupId);
          if (!backup)
            return status(
              404,
              managementError("No such backup", [
                { field: "backupId", message: "give the `id` of a backup from GET /api/cli-tools/backups" },
              ]),
            );
          try {
            const previous = tools.backups.restore(backup);
            return { ok: true, restored: backup, previous };
          } catch (error) {
            return fileProblem(error, status);
          }
        }
        const asked = body?.tool;
        const one = asked === undefined ? undefined : toolById(asked);
        if (asked !== undefined && !one) return status(404, noSuchTool(asked));
        const backups = (one ? [one] : TOOLS).map((tool) =>
          tools.backups.create(tool.id, tools.paths(tool), "asked for"),
        );
        return status(201, { backups });
      },
      {
        body: t.Optional(
          t.Object({
            action: t.Optional(t.Union([t.Literal("create"), t.Literal("restore")])),
            tool: t.Optional(t.String()),
            backupId: t.Optional(t.String({ minLength: 1 })),
          }),
        ),
      },
    );
}

function noSuchTool(id: string) {
  return managementError(`No tool '${id}'; one of ${TOOLS.map((tool) => tool.id).join(", ")}`);
}

function profileProblem(body: typeof profileBody.static): FieldProblem | undefined {
  if (PROFILE_NAME.test(body.name)) return undefined;
  return { field: "name", message: "letters, digits, '-' and '_', starting with a letter or digit" };
}

function change(body: typeof profileBody.static): { model?: string; reasoningEffort?: string | null } {
  return {
    ...(body.model !== undefined ? { model: body.model } : {}),
    ...(body.reasoningEffort !== undefined ? { reasoningEffort: body.reasoningEffort } : {}),
  };
}
