/**
 * Calls through the real gateway on behalf of the console (translator "send", eval runs): a
 * synthesized client request to the dialect's own path, run by `handleCall` like any other, so
 * that routing, fallbacks, limits and usage apply unchanged. app.ts hands it to the management
 * API, which may not import the gateway itself.
 *
 * The gateway authenticates a Switchyard API key; the console uses one key of its own
 * ("Switchyard console", no admin scope), created on first use. Its secret is kept sealed in
 * the settings, so that the same key (and its usage history) survives restarts; a revoked
 * console key is replaced on the next call.
 */

import type { ConsoleCall, GatewayCaller } from "../admin/console-call.ts";
import type { AppContext } from "../context.ts";
import type { CallShape } from "../gateway/call.ts";
import { handleCall } from "../gateway/pipeline.ts";
import { createApiKey } from "../security/api-keys.ts";
import type { Dialect } from "../wire/index.ts";

const CONSOLE_KEY_SETTING = "admin.consoleKey";
export const CONSOLE_KEY_LABEL = "Switchyard console";

interface SealedConsoleKey {
  id: string;
  sealedSecret: string;
}

function consoleKeySecret(context: AppContext): string {
  const saved = context.settings.get<SealedConsoleKey>(CONSOLE_KEY_SETTING);
  if (saved !== undefined && context.apiKeys.get(saved.id)?.isActive) {
    return context.secrets.open(saved.sealedSecret);
  }
  const { row, secret } = createApiKey(context.apiKeys, CONSOLE_KEY_LABEL, false);
  context.settings.set(CONSOLE_KEY_SETTING, { id: row.id, sealedSecret: context.secrets.seal(secret) });
  return secret;
}

/** The path a client of this dialect would call; Gemini's names the model. */
function clientPath(dialect: Dialect, model: string): string {
  switch (dialect) {
    case "openai-chat":
      return "/v1/chat/completions";
    case "openai-responses":
      return "/v1/responses";
    case "anthropic":
      return "/v1/messages";
    case "ollama":
      return "/api/chat";
    case "gemini":
      return `/v1beta/models/${model}:generateContent`;
  }
}

export function gatewayCaller(context: AppContext): GatewayCaller {
  return (call) => callGateway(context, call);
}

function callGateway(context: AppContext, call: ConsoleCall): Promise<Response> {
  const body = call.dialect === "gemini" ? call.body : { ...call.body, model: call.model };
  const request = new Request(`http://switchyard.console${clientPath(call.dialect, call.model)}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${consoleKeySecret(context)}` },
    body: JSON.stringify(body),
  });
  const shape: CallShape = {
    dialect: call.dialect,
    ...(call.dialect === "gemini" && { pathModel: call.model, pathStream: false }),
    ...(call.provider !== undefined && { provider: call.provider }),
  };
  return handleCall(context, request, shape);
}
