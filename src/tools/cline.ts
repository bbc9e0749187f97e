/**
 * Cline CLI: `~/.cline/data/globalState.json` (the provider and models, beside the tool's own
 * state, which is kept) and `~/.cline/data/secrets.json` (the key). Switchyard is its
 * OpenAI-compatible provider, over Chat Completions, for both Act and Plan modes.
 */
import {
  type Connection,
  isSwitchyardKey,
  keyPreview,
  omit,
  openaiBase,
  type ToolSetup,
  text,
} from "./tool.ts";

const STATE_KEYS = [
  "actModeApiProvider",
  "planModeApiProvider",
  "openAiBaseUrl",
  "actModeOpenAiModelId",
  "planModeOpenAiModelId",
] as const;

function state(connection: Connection): Record<(typeof STATE_KEYS)[number], string | undefined> {
  return {
    actModeApiProvider: "openai",
    planModeApiProvider: "openai",
    openAiBaseUrl: openaiBase(connection),
    actModeOpenAiModelId: connection.model,
    planModeOpenAiModelId: connection.model,
  };
}

export const clineCli: ToolSetup = {
  id: "cline",
  name: "Cline CLI",
  commands: ["cline"],
  needsModel: true,
  files: [
    { path: ".cline/data/globalState.json", format: "json" },
    { path: ".cline/data/secrets.json", format: "json" },
  ],
  state([global = {}, secrets = {}]) {
    const configured = isSwitchyardKey(secrets.openAiApiKey) && global.actModeApiProvider === "openai";
    return {
      configured,
      baseUrl: text(global.openAiBaseUrl),
      model: text(global.actModeOpenAiModelId),
      keyPreview: keyPreview(secrets.openAiApiKey),
    };
  },
  apply([global = {}, secrets = {}], connection) {
    return [
      { ...global, ...state(connection) },
      { ...secrets, openAiApiKey: connection.apiKey },
    ];
  },
  reset([global = {}, secrets = {}]) {
    if (!isSwitchyardKey(secrets.openAiApiKey)) return undefined;
    return [omit(global, STATE_KEYS), omit(secrets, ["openAiApiKey"])];
  },
};
