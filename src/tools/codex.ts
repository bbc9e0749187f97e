/**
 * Codex CLI: `~/.codex/config.toml`. Switchyard is a model provider of its own,
 * `[model_providers.switchyard]`, over the Responses API (the only wire API Codex has); the key
 * goes in `experimental_bearer_token`, as a custom provider cannot read one from `auth.json` and
 * an `env_key` would need the user's shell. Profiles are Codex's own `<name>.config.toml` files
 * beside it, layered over config.toml by `codex --profile <name>`.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type JsonObject, readConfig, removeConfig, writeConfig } from "./config-files.ts";
import {
  type Connection,
  isSwitchyardKey,
  keyPreview,
  objectAt,
  omit,
  openaiBase,
  PROVIDER_ID,
  setOrPrune,
  type ToolSetup,
  text,
} from "./tool.ts";

const CODEX_DIR = ".codex";

function provider(connection: Connection): JsonObject {
  return {
    name: "Switchyard",
    base_url: openaiBase(connection),
    wire_api: "responses",
    experimental_bearer_token: connection.apiKey,
  };
}

export const codexCli: ToolSetup = {
  id: "codex",
  name: "Codex CLI",
  commands: ["codex"],
  needsModel: true,
  files: [{ path: `${CODEX_DIR}/config.toml`, format: "toml" }],
  state([config = {}]) {
    const ours = objectAt(objectAt(config, "model_providers"), PROVIDER_ID);
    const selected = config.model_provider === PROVIDER_ID;
    return {
      configured: selected && isSwitchyardKey(ours.experimental_bearer_token),
      baseUrl: text(ours.base_url),
      model: selected ? text(config.model) : null,
      keyPreview: keyPreview(ours.experimental_bearer_token),
    };
  },
  apply([config = {}], connection) {
    const providers = { ...objectAt(config, "model_providers"), [PROVIDER_ID]: provider(connection) };
    // Keys before tables: TOML puts a table's keys after its header, so root keys lead.
    const { model_providers: _, ...rest } = config;
    return [{ ...rest, model: connection.model, model_provider: PROVIDER_ID, model_providers: providers }];
  },
  reset([config = {}]) {
    const providers = objectAt(config, "model_providers");
    if (!(PROVIDER_ID in providers) && config.model_provider !== PROVIDER_ID) return undefined;
    const rest = config.model_provider === PROVIDER_ID ? omit(config, ["model", "model_provider"]) : config;
    return [setOrPrune(rest, "model_providers", omit(providers, [PROVIDER_ID]))];
  },
};

export interface CodexProfile {
  name: string;
  model: string | null;
  reasoningEffort: string | null;
  /** It uses the Switchyard provider. */
  switchyard: boolean;
  path: string;
}

const PROFILE_SUFFIX = ".config.toml";
/** Codex's own file names: `config.toml` itself is not a profile. */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function codexProfilePath(home: string, name: string): string {
  return join(home, CODEX_DIR, `${name}${PROFILE_SUFFIX}`);
}

export function listProfiles(home: string): CodexProfile[] {
  const dir = join(home, CODEX_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(
      (file) => file.endsWith(PROFILE_SUFFIX) && PROFILE_NAME.test(file.slice(0, -PROFILE_SUFFIX.length)),
    )
    .sort()
    .map((file) => readProfile(home, file.slice(0, -PROFILE_SUFFIX.length)))
    .filter((profile): profile is CodexProfile => profile !== undefined);
}

export function readProfile(home: string, name: string): CodexProfile | undefined {
  const path = codexProfilePath(home, name);
  if (!existsSync(path)) return undefined;
  const profile = readConfig(path, "toml");
  return {
    name,
    model: text(profile.model),
    reasoningEffort: text(profile.model_reasoning_effort),
    switchyard: profile.model_provider === PROVIDER_ID,
    path,
  };
}

/**
 * Writes the profile's file: Switchyard's provider (which lives in config.toml) with this model;
 * what is not given stays as it was, and the file's other keys stay too.
 */
export function writeProfile(
  home: string,
  name: string,
  change: { model?: string; reasoningEffort?: string | null },
): CodexProfile {
  const path = codexProfilePath(home, name);
  const before = existsSync(path) ? readConfig(path, "toml") : {};
  const reasoningEffort =
    change.reasoningEffort === undefined ? text(before.model_reasoning_effort) : change.reasoningEffort;
  const next: JsonObject = {
    ...omit(before, ["model", "model_provider", "model_reasoning_effort"]),
    model: change.model ?? before.model,
    model_provider: PROVIDER_ID,
    ...(reasoningEffort ? { model_reasoning_effort: reasoningEffort } : {}),
  };
  writeConfig(path, "toml", before, next);
  return readProfile(home, name)!;
}

export function deleteProfile(home: string, name: string): boolean {
  const path = codexProfilePath(home, name);
  if (!existsSync(path)) return false;
  removeConfig(path);
  return true;
}
