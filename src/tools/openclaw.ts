/**
 * OpenClaw: `~/.openclaw/openclaw.json` (JSON5; comments do not survive a write, the backup
 * keeps them). Switchyard is `models.providers.switchyard` over Chat Completions
 * (`openai-completions`), and the agents' default model `switchyard/<model>`.
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
    baseUrl: openaiBase(connection),
    apiKey: connection.apiKey,
    api: "openai-completions",
    models: [{ id: connection.model, name: connection.model }],
  };
}

/** `agents.defaults.model`, as far as it names a primary model. */
function primaryOf(config: JsonObject): string | null {
  return text(objectAt(objectAt(objectAt(config, "agents"), "defaults"), "model").primary);
}

function withPrimary(config: JsonObject, primary: string | undefined): JsonObject {
  const agents = objectAt(config, "agents");
  const defaults = objectAt(agents, "defaults");
  const model = omit(objectAt(defaults, "model"), ["primary"]);
  const nextModel = primary === undefined ? model : { ...model, primary };
  return setOrPrune(
    config,
    "agents",
    setOrPrune(agents, "defaults", setOrPrune(defaults, "model", nextModel)),
  );
}

export const openClaw: ToolSetup = {
  id: "openclaw",
  name: "OpenClaw",
  commands: ["openclaw"],
  needsModel: true,
  files: [{ path: ".openclaw/openclaw.json", format: "json5" }],
  state([config = {}]) {
    const ours = objectAt(objectAt(objectAt(config, "models"), "providers"), PROVIDER_ID);
    const primary = primaryOf(config);
    return {
      configured: isSwitchyardKey(ours.apiKey),
      baseUrl: text(ours.baseUrl),
      model: modelAtSwitchyard(primary),
      keyPreview: keyPreview(ours.apiKey),
    };
  },
  apply([config = {}], connection) {
    const models = objectAt(config, "models");
    const providers = { ...objectAt(models, "providers"), [PROVIDER_ID]: provider(connection) };
    const next = { ...config, models: { mode: "merge", ...models, providers } };
    return [withPrimary(next, switchyardModel(connection.model))];
  },
  reset([config = {}]) {
    const models = objectAt(config, "models");
    const providers = objectAt(models, "providers");
    if (!(PROVIDER_ID in providers)) return undefined;
    const primary = primaryOf(config);
    const rest = setOrPrune(
      config,
      "models",
      setOrPrune(models, "providers", omit(providers, [PROVIDER_ID])),
    );
    return [modelAtSwitchyard(primary) !== null ? withPrimary(rest, undefined) : rest];
  },
};
