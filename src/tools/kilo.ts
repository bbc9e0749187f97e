/**
 * Kilo Code CLI: `~/.config/kilo/kilo.jsonc`, or `kilo.json` when that is the one there (JSONC,
 * edited in place so its comments stay).
 * Switchyard is `provider.switchyard` over Chat Completions (`@ai-sdk/openai-compatible`), and
 * the default model `switchyard/<model>`.
 */
import type { JsonObject } from "./config-files.ts";
import {
  type Connection,
  isSwitchyardKey,
  keyPreview,
  modelAtSwitchyard,
  objectAt,
  omit,
  openaiBase,
  PROVIDER_ID,
  setOrPrune,
  switchyardModel,
  type ToolSetup,
  text,
} from "./tool.ts";

function provider(connection: Connection): JsonObject {
  return {
    npm: "@ai-sdk/openai-compatible",
    name: "Switchyard",
    options: { baseURL: openaiBase(connection), apiKey: connection.apiKey },
    models: { [connection.model ?? ""]: { name: connection.model } },
  };
}

export const kiloCode: ToolSetup = {
  id: "kilo",
  name: "Kilo Code CLI",
  commands: ["kilo", "kilocode"],
  needsModel: true,
  files: [{ path: ".config/kilo/kilo.jsonc", alsoAt: [".config/kilo/kilo.json"], format: "jsonc" }],
  state([config = {}]) {
    const options = objectAt(objectAt(objectAt(config, "provider"), PROVIDER_ID), "options");
    const model = text(config.model);
    return {
      configured: isSwitchyardKey(options.apiKey),
      baseUrl: text(options.baseURL),
      model: modelAtSwitchyard(model),
      keyPreview: keyPreview(options.apiKey),
    };
  },
  apply([config = {}], connection) {
    const providers = { ...objectAt(config, "provider"), [PROVIDER_ID]: provider(connection) };
    return [{ ...config, provider: providers, model: switchyardModel(connection.model) }];
  },
  reset([config = {}]) {
    const providers = objectAt(config, "provider");
    if (!(PROVIDER_ID in providers)) return undefined;
    const model = text(config.model);
    const rest = modelAtSwitchyard(model) !== null ? omit(config, ["model"]) : config;
    return [setOrPrune(rest, "provider", omit(providers, [PROVIDER_ID]))];
  },
};
