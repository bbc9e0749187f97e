/**
 * What pointing one coding tool at Switchyard means, as pure functions over its config files'
 * contents (so the same code writes a file, removes our entries again, and renders the guide for
 * setting it up by hand), and the file work around them.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { KEY_PREFIX } from "../security/api-keys.ts";
import { type ConfigFormat, isObject, type JsonObject, readConfig, writeConfig } from "./config-files.ts";

/** Where Switchyard is, as a tool gets it. */
export interface Connection {
  /** Scheme, host and port, without a path: `http://127.0.0.1:20128`. */
  origin: string;
  apiKey: string;
  model?: string;
  /** Claude Code's model for quick background work. */
  smallModel?: string;
}

/** How a tool is set up now, as far as Switchyard is concerned. */
export interface ToolState {
  /** It uses a Switchyard key. */
  configured: boolean;
  baseUrl: string | null;
  model: string | null;
  /** The last characters of its Switchyard key. */
  keyPreview: string | null;
}

export interface ConfigFile {
  /** Below the home folder. */
  path: string;
  /** Other names the tool reads the same file under; one that exists is used instead. */
  alsoAt?: readonly string[];
  format: ConfigFormat;
}

export interface ToolSetup {
  id: string;
  name: string;
  /** The names its command goes by, first the usual one. */
  commands: readonly string[];
  /** The model must be given to set it up (Claude Code has a default of its own). */
  needsModel: boolean;
  /** Its config files; the functions below take and give their contents in this order. */
  files: readonly ConfigFile[];
  state(contents: JsonObject[]): ToolState;
  /** The contents with Switchyard set up; everything else kept. */
  apply(contents: JsonObject[], connection: Connection): JsonObject[];
  /** The contents without Switchyard's entries, or undefined when there were none. */
  reset(contents: JsonObject[]): JsonObject[] | undefined;
}

/** The id Switchyard goes by among a tool's providers. */
export const PROVIDER_ID = "switchyard";
const MODEL_PREFIX = `${PROVIDER_ID}/`;

/** A model as tools that name models `<provider>/<model>` select it at Switchyard. */
export function switchyardModel(model: string | undefined): string {
  return `${MODEL_PREFIX}${model}`;
}

/** The model behind a tool's `<provider>/<model>` selection, when the provider is Switchyard. */
export function modelAtSwitchyard(selection: string | null): string | null {
  return selection?.startsWith(MODEL_PREFIX) ? selection.slice(MODEL_PREFIX.length) : null;
}

export function isSwitchyardKey(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(KEY_PREFIX);
}

export function keyPreview(key: unknown): string | null {
  return isSwitchyardKey(key) ? key.slice(-4) : null;
}

/** `origin` + `/v1`, the base URL OpenAI-style clients take. */
export function openaiBase(connection: Connection): string {
  return `${connection.origin}/v1`;
}

export function objectAt(parent: JsonObject, key: string): JsonObject {
  const value = parent[key];
  return isObject(value) ? value : {};
}

export function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** A copy without `keys`. */
export function omit(object: JsonObject, keys: readonly string[]): JsonObject {
  const copy = { ...object };
  for (const key of keys) delete copy[key];
  return copy;
}

/** Sets `key` to `value`, or removes it when the object then empties (keeps configs free of our leftovers). */
export function setOrPrune(parent: JsonObject, key: string, value: JsonObject): JsonObject {
  if (Object.keys(value).length > 0) return { ...parent, [key]: value };
  return omit(parent, [key]);
}

export function pathOf(home: string, file: ConfigFile): string {
  const path = join(home, file.path);
  if (!file.alsoAt || existsSync(path)) return path;
  const other = file.alsoAt.map((name) => join(home, name)).find((candidate) => existsSync(candidate));
  return other ?? path;
}

export function readContents(home: string, tool: ToolSetup): JsonObject[] {
  return tool.files.map((file) => readConfig(pathOf(home, file), file.format));
}

/** Writes the files whose contents changed. */
export function writeContents(
  home: string,
  tool: ToolSetup,
  before: JsonObject[],
  after: JsonObject[],
): void {
  tool.files.forEach((file, index) => {
    const old = before[index] ?? {};
    const next = after[index] ?? {};
    if (!Bun.deepEquals(old, next)) writeConfig(pathOf(home, file), file.format, old, next);
  });
}
