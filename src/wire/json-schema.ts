/**
 * JSON Schema ↔ Gemini `Schema`, the "select subset of an OpenAPI 3.0 schema object" that
 * Gemini's `functionDeclarations[].parameters` and `generationConfig.responseSchema` accept
 * (https://ai.google.dev/api/caching#Schema).
 *
 * Towards Gemini we keep only the fields that subset has (type, format, title, description,
 * nullable, enum, properties, required, items, anyOf, the numeric and length bounds, default,
 * example, propertyOrdering) and rewrite what JSON Schema says differently: `$ref` into the
 * schema's own `$defs`/`definitions` is inlined, `allOf` merged, `oneOf` read as `anyOf`,
 * `"null"` types and `{type:"null"}` branches become `nullable`, `const` becomes a one-value
 * `enum`, tuple `items` become an `anyOf`. Type names are upper-case, as the official SDK sends
 * them. Everything else (`$schema`, `additionalProperties`, `patternProperties`, exclusive
 * bounds, `not`, conditionals…) is dropped, since Gemini answers 400 to unknown fields.
 *
 * Back from Gemini we produce plain JSON Schema: lower-case types, `nullable` as a `"null"`
 * type, int64 bounds (strings in Gemini's JSON) as numbers.
 */
import { isObject, type JsonObject } from "./json.ts";

const GEMINI_TYPES: ReadonlySet<string> = new Set([
  "string",
  "number",
  "integer",
  "boolean",
  "array",
  "object",
]);

/** Gemini rejects other formats (Developer API: only these per type). */
const FORMATS_BY_TYPE: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set(["enum", "date-time"]),
  number: new Set(["float", "double"]),
  integer: new Set(["int32", "int64"]),
};

/** Bounds Gemini types int64, which its JSON spells as strings. */
const INT64_KEYWORDS = [
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
] as const;

const COPIED_KEYWORDS = [
  "title",
  "description",
  "pattern",
  "minimum",
  "maximum",
  ...INT64_KEYWORDS,
  "default",
  "example",
  "propertyOrdering",
] as const;

/** Deeper schemas than this are cut off rather than recursed into (hostile input). */
const MAX_DEPTH = 64;

interface Resolution {
  root: JsonObject;
  /** `$ref`s being expanded on the current path: a repeat means recursion, which Gemini cannot express. */
  expanding: Set<string>;
}

/** The Gemini `Schema` for a JSON Schema. Pure; never throws. */
export function toGeminiSchema(schema: JsonObject): JsonObject {
  return convert(schema, { root: schema, expanding: new Set() }, 0);
}

function convert(node: unknown, resolution: Resolution, depth: number): JsonObject {
  if (!isObject(node) || depth > MAX_DEPTH) return {};
  const ref = node.$ref;
  if (typeof ref === "string") return convertRef(node, ref, resolution, depth);
  const source = Array.isArray(node.allOf) ? mergeAllOf(node, node.allOf) : node;

  const out: JsonObject = {};
  let nullable = source.nullable === true;
  const types = typeList(source.type);
  if (types.includes("null")) nullable = true;
  const concrete = types.filter((type) => type !== "null" && GEMINI_TYPES.has(type));
  const [type] = concrete;
  const branches = Array.isArray(source.anyOf)
    ? source.anyOf
    : Array.isArray(source.oneOf)
      ? source.oneOf
      : [];
  const kept: JsonObject[] = [];
  for (const branch of branches) {
    if (isObject(branch) && branch.type === "null") nullable = true;
    // Beside a type of its own, branches only add constraints ("one of these required"), which Gemini cannot say.
    else if (concrete.length === 0) kept.push(convert(branch, resolution, depth + 1));
  }
  // A single remaining branch is the schema itself (the usual `T | null`).
  const [only] = kept;
  if (kept.length === 1 && only) Object.assign(out, only);
  else if (kept.length > 1) out.anyOf = kept;
  else if (concrete.length > 1) out.anyOf = concrete.map((each) => ({ type: upper(each) }));
  else if (type) out.type = upper(type);

  const format = source.format;
  if (typeof format === "string" && type && FORMATS_BY_TYPE[type]?.has(format)) out.format = format;
  for (const keyword of COPIED_KEYWORDS) if (source[keyword] !== undefined) out[keyword] = source[keyword];
  if (out.example === undefined && Array.isArray(source.examples) && source.examples.length > 0) {
    out.example = source.examples[0];
  }

  const values =
    source.const !== undefined ? [source.const] : Array.isArray(source.enum) ? source.enum : undefined;
  if (values) convertEnum(values, out, () => (nullable = true));

  if (isObject(source.properties)) {
    const properties: JsonObject = {};
    for (const [name, property] of Object.entries(source.properties)) {
      properties[name] = convert(property, resolution, depth + 1);
    }
    out.properties = properties;
    if (Array.isArray(source.required)) {
      out.required = source.required.filter((name) => typeof name === "string" && name in properties);
    }
  }

  const items = Array.isArray(source.prefixItems) ? source.prefixItems : source.items;
  if (Array.isArray(items)) {
    const converted = items.map((item) => convert(item, resolution, depth + 1));
    const [first] = converted;
    if (converted.length === 1 && first) out.items = first;
    else if (converted.length > 1) out.items = { anyOf: converted };
  } else if (isObject(items)) out.items = convert(items, resolution, depth + 1);

  if (nullable) out.nullable = true;
  return out;
}

function convertRef(node: JsonObject, ref: string, resolution: Resolution, depth: number): JsonObject {
  const target = resolveRef(resolution.root, ref);
  const { $ref: _ref, ...siblings } = node;
  if (!target) return convert(siblings, resolution, depth + 1);
  if (resolution.expanding.has(ref)) {
    // Recursive schema: stop here with what the target says about itself.
    const cutOff: JsonObject = {};
    const [type] = typeList(target.type).filter((each) => GEMINI_TYPES.has(each));
    if (type) cutOff.type = upper(type);
    const description = siblings.description ?? target.description;
    if (typeof description === "string") cutOff.description = description;
    return cutOff;
  }
  resolution.expanding.add(ref);
  const converted = convert({ ...target, ...siblings }, resolution, depth + 1);
  resolution.expanding.delete(ref);
  return converted;
}

/** Local references only (`#`, `#/$defs/x`, `#/definitions/x`, any JSON pointer into the root). */
function resolveRef(root: JsonObject, ref: string): JsonObject | undefined {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return isObject(node) ? node : undefined;
}

function mergeAllOf(node: JsonObject, parts: unknown[]): JsonObject {
  const { allOf: _allOf, ...merged } = node;
  const properties: JsonObject = isObject(merged.properties) ? { ...merged.properties } : {};
  const required = new Set<unknown>(Array.isArray(merged.required) ? merged.required : []);
  for (const part of parts) {
    if (!isObject(part)) continue;
    for (const [key, value] of Object.entries(part)) {
      if (key === "properties" && isObject(value)) Object.assign(properties, value);
      else if (key === "required" && Array.isArray(value)) for (const name of value) required.add(name);
      else if (merged[key] === undefined) merged[key] = value;
    }
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.size > 0) merged.required = [...required];
  return merged;
}

/** Gemini enums are strings; other values cannot be expressed, so they go into the description. */
function convertEnum(values: unknown[], out: JsonObject, markNullable: () => void): void {
  const present = values.filter((value) => {
    if (value !== null) return true;
    markNullable();
    return false;
  });
  if (present.every((value) => typeof value === "string")) {
    out.enum = present;
    return;
  }
  const allowed = `Allowed values: ${present.map((value) => JSON.stringify(value)).join(", ")}`;
  out.description = typeof out.description === "string" ? `${out.description}\n${allowed}` : allowed;
}

function typeList(type: unknown): string[] {
  if (typeof type === "string") return [type.toLowerCase()];
  if (Array.isArray(type))
    return type.filter((each) => typeof each === "string").map((each) => each.toLowerCase());
  return [];
}

function upper(type: string): string {
  return type.toUpperCase();
}

/** The JSON Schema for a Gemini `Schema` (as a client sent it in `parameters` / `responseSchema`). */
export function fromGeminiSchema(schema: unknown): JsonObject {
  return revert(schema, 0);
}

function revert(node: unknown, depth: number): JsonObject {
  if (!isObject(node) || depth > MAX_DEPTH) return {};
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "type" || key === "nullable" || key === "propertyOrdering" || key === "example") continue;
    if (key === "format" && value === "enum") continue;
    if (key === "properties" && isObject(value)) {
      const properties: JsonObject = {};
      for (const [name, property] of Object.entries(value)) properties[name] = revert(property, depth + 1);
      out.properties = properties;
    } else if (key === "items") out.items = revert(value, depth + 1);
    else if (key === "anyOf" && Array.isArray(value))
      out.anyOf = value.map((branch) => revert(branch, depth + 1));
    else out[key] = value;
  }
  for (const keyword of INT64_KEYWORDS) {
    const bound = out[keyword];
    if (typeof bound === "string" && bound.trim() !== "" && Number.isFinite(Number(bound)))
      out[keyword] = Number(bound);
  }
  if (node.example !== undefined) out.examples = [node.example];
  const type = typeof node.type === "string" ? node.type.toLowerCase() : undefined;
  const nullable = node.nullable === true;
  if (type && type !== "type_unspecified") out.type = nullable ? [type, "null"] : type;
  else if (nullable && Array.isArray(out.anyOf)) out.anyOf = [...out.anyOf, { type: "null" }];
  return out;
}
