/**
 * The coding tools' own config files, read and written the way each tool writes them: JSON
 * (Claude Code, Droid, Cline), JSONC with its comments kept (Kilo), JSON5 (OpenClaw) and TOML
 * (Codex). A file that is there but cannot be read is never overwritten: the caller is told why.
 * Writes go to a temporary file renamed into place, keeping the file's mode, or 0600 for a new
 * one (these files hold API keys).
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";
import JSON5 from "json5";
import { applyEdits, modify, type ParseError, parse as parseJsonc, printParseErrorCode } from "jsonc-parser";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";

export type JsonObject = Record<string, unknown>;

/** A tool's config file that cannot be read or written as it is; nothing of it was changed. */
export class ConfigFileProblem extends Error {
  override name = "ConfigFileProblem";
}

/** A config file that exists but does not parse (or cannot be opened): the tool's own file is left alone. */
export class UnreadableConfig extends ConfigFileProblem {
  override name = "UnreadableConfig";

  constructor(path: string, detail: string) {
    super(`${path} could not be read (${detail}); fix or move it, then try again`);
  }
}

/** A config file (or its folder) the server may not write. */
class UnwritableConfig extends ConfigFileProblem {
  override name = "UnwritableConfig";

  constructor(path: string, detail: string) {
    super(`${path} could not be written (${detail}); check who owns it and its folder`);
  }
}

function reason(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? (error instanceof Error ? error.message : String(error));
}

export type ConfigFormat = "json" | "jsonc" | "json5" | "toml";

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The file's object, or an empty one when there is no file (an empty file counts as none). */
export function readConfig(path: string, format: ConfigFormat): JsonObject {
  let text = "";
  try {
    if (existsSync(path)) text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UnreadableConfig(path, reason(error));
  }
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = PARSERS[format](text);
  } catch (error) {
    throw new UnreadableConfig(path, error instanceof Error ? error.message : String(error));
  }
  if (!isObject(value)) throw new UnreadableConfig(path, "it is not an object");
  return value;
}

const PARSERS: Record<ConfigFormat, (text: string) => unknown> = {
  json: (text) => JSON.parse(text),
  jsonc: (text) => {
    const errors: ParseError[] = [];
    const value = parseJsonc(text, errors, { allowTrailingComma: true });
    const first = errors[0];
    if (first) throw new Error(`${printParseErrorCode(first.error)} at offset ${first.offset}`);
    return value;
  },
  json5: (text) => JSON5.parse(text),
  toml: (text) => parseToml(text),
};

/** The file as it would be written from nothing. */
export function renderConfig(format: ConfigFormat, contents: JsonObject): string {
  switch (format) {
    case "json":
    case "jsonc":
      return `${JSON.stringify(contents, null, 2)}\n`;
    case "json5":
      return `${JSON5.stringify(contents, null, 2)}\n`;
    case "toml":
      return `${stringifyToml(contents)}\n`;
  }
}

/**
 * Writes `next` over what was read as `before`. A JSONC file is edited where the two differ, so
 * its comments and formatting elsewhere stay as they were; the other formats are written whole.
 */
export function writeConfig(path: string, format: ConfigFormat, before: JsonObject, next: JsonObject): void {
  if (format !== "jsonc" || !existsSync(path)) {
    writeAtomically(path, renderConfig(format, next));
    return;
  }
  let text = readFileSync(path, "utf8");
  if (text.trim() === "") text = "{}\n";
  for (const { at, value } of jsoncEdits(before, next)) {
    text = applyEdits(
      text,
      modify(text, at, value, { formattingOptions: { insertSpaces: true, tabSize: 2 } }),
    );
  }
  writeAtomically(path, text);
}

/** The changes from `old` to `next` as edits at most two levels deep. */
function jsoncEdits(old: JsonObject, next: JsonObject): Array<{ at: string[]; value: unknown }> {
  const edits: Array<{ at: string[]; value: unknown }> = [];
  for (const key of new Set([...Object.keys(old), ...Object.keys(next)])) {
    const before = old[key];
    const after = next[key];
    if (Bun.deepEquals(before, after)) continue;
    if (isObject(before) && isObject(after)) {
      for (const inner of new Set([...Object.keys(before), ...Object.keys(after)]))
        if (!Bun.deepEquals(before[inner], after[inner]))
          edits.push({ at: [key, inner], value: after[inner] });
    } else edits.push({ at: [key], value: after });
  }
  return edits;
}

/** Writes through a temporary file renamed into place; keeps the old file's mode, else 0600. */
export function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.switchyard-${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o600;
    writeFileSync(temporary, text, { mode });
    chmodSync(temporary, mode);
    renameSync(temporary, path);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // There was no temporary file to leave behind (its folder could not be made).
    }
    throw new UnwritableConfig(path, reason(error));
  }
}

/** Removes a config file (restoring a backup taken before it existed). */
export function removeConfig(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch (error) {
    throw new UnwritableConfig(path, reason(error));
  }
}
