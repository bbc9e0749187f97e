/** The Tools page: the coding tools on this machine, set up or taken back through /api/cli-tools. */
import { Elysia } from "elysia";
import { html } from "../../views/html.ts";
import {
  type ToolBackupView,
  type ToolView,
  toolBackupsSection,
  toolCard,
  toolsPage,
} from "../../views/pages/tools.ts";
import type { AppContext } from "../context.ts";
import { TOOLS, type ToolSetup, toolById, UnreadableConfig } from "../tools/index.ts";
import type { ManagementCall } from "./management.ts";
import { type FormFields, filled, formBody, page } from "./respond.ts";

async function toolView(context: AppContext, tool: ToolSetup, origin: string): Promise<ToolView> {
  let status: Awaited<ReturnType<AppContext["tools"]["status"]>> | undefined;
  let unreadable: string | undefined;
  try {
    status = await context.tools.status(tool);
  } catch (error) {
    if (!(error instanceof UnreadableConfig)) throw error;
    unreadable = error.message;
  }
  const guide = context.tools.guide(tool, {
    origin,
    apiKey: "<your Switchyard API key>",
    model: status?.model ?? "<model>",
  });
  return {
    tool: tool.id,
    name: tool.name,
    needsModel: tool.needsModel,
    installed: status?.runtime.installed ?? false,
    command: status?.runtime.command ?? null,
    version: status?.runtime.version ?? null,
    configured: status?.configured ?? false,
    baseUrl: status?.baseUrl ?? null,
    model: status?.model ?? null,
    keyPreview: status?.keyPreview ?? null,
    files: status?.files ?? context.tools.paths(tool).map((path) => ({ path, exists: true })),
    ...(unreadable ? { unreadable } : {}),
    guide: guide.map(({ path, content }) => ({ path, content })),
  };
}

function backupViews(context: AppContext): ToolBackupView[] {
  return context.tools.backups.list();
}

const originOf = (request: Request) => new URL(request.url).origin;

export function toolPages(context: AppContext, api: ManagementCall) {
  /** The tool's card, and the backups its change added. */
  const card = async (request: Request, tool: ToolSetup, form?: Parameters<typeof toolCard>[1]) =>
    page(
      html`${toolCard(await toolView(context, tool, originOf(request)), form)}${toolBackupsSection(backupViews(context), { oob: true })}`,
    );
  return new Elysia()
    .get("/dashboard/tools", async ({ request }) => {
      const views = await Promise.all(TOOLS.map((tool) => toolView(context, tool, originOf(request))));
      return page(toolsPage(views, backupViews(context)));
    })
    .post(
      "/dashboard/tools/:toolId",
      async ({ params, body, request, status }) => {
        const tool = toolById(params.toolId);
        if (!tool) return status(404, "No such tool");
        const form: FormFields = body;
        const model = filled(form, "model");
        const smallModel = filled(form, "smallModel");
        const answer = await api<{ createdKeyId?: string }>(
          request,
          "POST",
          `/api/cli-tools/${tool.id}-settings`,
          {
            ...(model ? { model } : {}),
            ...(smallModel ? { smallModel } : {}),
          },
        );
        if (!answer.ok)
          return card(request, tool, { values: form, message: answer.message, problems: answer.problems });
        const key = answer.data.createdKeyId ? ` A key "${tool.name} (CLI tools)" was made for it.` : "";
        return card(request, tool, {
          values: form,
          problems: [],
          done: `${tool.name} now uses Switchyard.${key}`,
        });
      },
      { body: formBody },
    )
    .delete("/dashboard/tools/:toolId", async ({ params, request, status }) => {
      const tool = toolById(params.toolId);
      if (!tool) return status(404, "No such tool");
      const answer = await api<{ reset: boolean }>(request, "DELETE", `/api/cli-tools/${tool.id}-settings`);
      if (!answer.ok) return card(request, tool, { values: {}, message: answer.message, problems: [] });
      const done = answer.data.reset
        ? `Switchyard is out of ${tool.name}'s config.`
        : "There was nothing of Switchyard's.";
      return card(request, tool, { values: {}, problems: [], done });
    })
    .post("/dashboard/tools/backups/:backupId/restore", async ({ params, request }) => {
      const answer = await api(request, "POST", "/api/cli-tools/backups", {
        action: "restore",
        backupId: params.backupId,
      });
      return page(
        answer.ok
          ? toolBackupsSection(backupViews(context), {
              restored: "The files are back as they were; how they were just now is backed up.",
            })
          : toolBackupsSection(backupViews(context), { message: answer.message }),
        answer.ok ? 200 : answer.status,
      );
    });
}
