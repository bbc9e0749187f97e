/**
 * Narrowing helpers for untrusted JSON bodies. Decoders read fields through these so that a
 * wrong type anywhere becomes a 400 naming the field (`messages[2].content`), never a crash.
 * `optional*` readers treat `null` like an absent field, as every client API here does.
 */
import { invalidField } from "./errors.ts";

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw invalidField(path, "must be an object");
  return value;
}

export function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalidField(path, "must be an array");
  return value;
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== "string") throw invalidField(path, "must be a string");
  return value;
}

export function optionalObject(value: unknown, path: string): JsonObject | undefined {
  return value === undefined || value === null ? undefined : expectObject(value, path);
}

export function optionalArray(value: unknown, path: string): unknown[] | undefined {
  return value === undefined || value === null ? undefined : expectArray(value, path);
}

export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : expectString(value, path);
}

export function optionalNumber(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalidField(path, "must be a number");
  return value;
}

export function optionalInteger(value: unknown, path: string): number | undefined {
  const number = optionalNumber(value, path);
  if (number !== undefined && !Number.isInteger(number)) throw invalidField(path, "must be an integer");
  return number;
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalidField(path, "must be a boolean");
  return value;
}

/** A list of strings, such as stop sequences. */
export function optionalStringArray(value: unknown, path: string): string[] | undefined {
  return optionalArray(value, path)?.map((entry, i) => expectString(entry, `${path}[${i}]`));
}

/** A string-to-string map such as OpenAI `metadata`. */
export function optionalStringMap(value: unknown, path: string): Record<string, string> | undefined {
  const object = optionalObject(value, path);
  if (object === undefined) return undefined;
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(object)) map[key] = expectString(entry, `${path}.${key}`);
  return map;
}

/** `JSON.parse` that answers `undefined` instead of throwing, for upstream bytes we do not control. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The object IR tool-call arguments (JSON text, "" for none) stand for; undefined when they are other JSON or none. */
export function argumentsObject(text: string): JsonObject | undefined {
  if (text.trim() === "") return {};
  const value = parseJsonOrUndefined(text);
  return isObject(value) ? value : undefined;
}

/** A number field of an upstream body, or undefined when it is missing or not a number. */
export function numberField(object: JsonObject | undefined, key: string): number | undefined {
  const value = object?.[key];
  return typeof value === "number" ? value : undefined;
}

/** A string field of an upstream body, or undefined when it is missing or not a string. */
export function stringField(object: JsonObject | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === "string" ? value : undefined;
}

/** An object field of an upstream body, or undefined when it is missing or not an object. */
export function objectField(object: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = object?.[key];
  return isObject(value) ? value : undefined;
}
