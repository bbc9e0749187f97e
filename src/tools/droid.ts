/**
 * Factory's Droid: `~/.factory/settings.json`, a `customModels` entry per model, here over
 * Chat Completions (`generic-chat-completion-api`). Switchyard's entries are the ones holding a
 * Switchyard key; the user's own entries stay in their order.
 */
import { isObject, type JsonObject } from "./config-files.ts";
import { type Connection, isSwitchyardKey, keyPreview, openaiBase, type ToolSetup, text } from "./tool.ts";

function entries(settings: JsonObject): JsonObject[] {
  return Array.isArray(settings.customModels) ? settings.customModels.filter(isObject) : [];
}

const ours = (entry: JsonObject) => isSwitchyardKey(entry.apiKey);

function entry(connection: Connection): JsonObject {
  return {
    model: connection.model,
    displayName: `${connection.model} (Switchyard)`,
    baseUrl: openaiBase(connection),
    apiKey: connection.apiKey,
    provider: "generic-chat-completion-api",
  };
}

export const factoryDroid: ToolSetup = {
  id: "droid",
  name: "Factory Droid",
  commands: ["droid"],
  needsModel: true,
  files: [{ path: ".factory/settings.json", format: "json" }],
  state([settings = {}]) {
    const mine = entries(settings).find(ours);
    return {
      configured: mine !== undefined,
      baseUrl: text(mine?.baseUrl),
      model: text(mine?.model),
      keyPreview: keyPreview(mine?.apiKey),
    };
  },
  apply([settings = {}], connection) {
    return [
      { ...settings, customModels: [entry(connection), ...entries(settings).filter((item) => !ours(item))] },
    ];
  },
  reset([settings = {}]) {
    const all = entries(settings);
    if (!all.some(ours)) return undefined;
    const rest = all.filter((item) => !ours(item));
    if (rest.length > 0) return [{ ...settings, customModels: rest }];
    const { customModels: _, ...without } = settings;
    return [without];
  },
};
