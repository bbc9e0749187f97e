/**
 * Claude Code: `~/.claude/settings.json`, its `env` block. It speaks Anthropic Messages to
 * `ANTHROPIC_BASE_URL` (the origin; it adds `/v1/messages`) with `ANTHROPIC_AUTH_TOKEN` as a
 * bearer token. `ANTHROPIC_API_KEY` beside it would conflict, so it goes while Switchyard is set.
 */
import {
  type Connection,
  isSwitchyardKey,
  keyPreview,
  objectAt,
  omit,
  setOrPrune,
  type ToolSetup,
  text,
} from "./tool.ts";

const MANAGED = [
  "ANTHROPIC_BASE_URL",
  "ANTHROPIC_AUTH_TOKEN",
  "ANTHROPIC_MODEL",
  "ANTHROPIC_DEFAULT_HAIKU_MODEL",
] as const;

function environment(connection: Connection): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: connection.origin,
    ANTHROPIC_AUTH_TOKEN: connection.apiKey,
    ...(connection.model ? { ANTHROPIC_MODEL: connection.model } : {}),
    ...(connection.smallModel ? { ANTHROPIC_DEFAULT_HAIKU_MODEL: connection.smallModel } : {}),
  };
}

export const claudeCode: ToolSetup = {
  id: "claude",
  name: "Claude Code",
  commands: ["claude"],
  needsModel: false,
  files: [{ path: ".claude/settings.json", format: "json" }],
  state([settings = {}]) {
    const env = objectAt(settings, "env");
    return {
      configured: isSwitchyardKey(env.ANTHROPIC_AUTH_TOKEN),
      baseUrl: text(env.ANTHROPIC_BASE_URL),
      model: text(env.ANTHROPIC_MODEL),
      keyPreview: keyPreview(env.ANTHROPIC_AUTH_TOKEN),
    };
  },
  apply([settings = {}], connection) {
    const env = omit(objectAt(settings, "env"), [...MANAGED, "ANTHROPIC_API_KEY"]);
    return [{ ...settings, env: { ...env, ...environment(connection) } }];
  },
  reset([settings = {}]) {
    const env = objectAt(settings, "env");
    if (!isSwitchyardKey(env.ANTHROPIC_AUTH_TOKEN)) return undefined;
    return [setOrPrune(settings, "env", omit(env, MANAGED))];
  },
};
