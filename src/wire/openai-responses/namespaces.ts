/**
 * OpenAI Responses `namespace` tools (a named group of function tools, such as Codex's
 * `multi_agent_v1`) as the flat function tools every other dialect has, and back.
 *
 * Function `f` of namespace `ns` becomes the function `ns__f`. That name must pass the strictest
 * of the targets' rules, FLAT_NAME: OpenAI and Anthropic take `[a-zA-Z0-9_-]{1,64}`, Gemini also
 * wants a letter or `_` first. A joined name that does not pass keeps a prefix of it with other
 * characters as `_` and ends in a hash of the whole, so that it stays unique and is the same on
 * every turn. Nothing is kept between requests: the IR tool records the client's names
 * (`IRTool.namespaced`), and the Responses encoders, given the client's tools in
 * `EncodeContext.tools`, name a call to the flat name by namespace and own name again.
 */
import type { IRTool } from "../ir.ts";

const FLAT_NAME = /^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$/;
const MAX_LENGTH = 64;

/** How a Responses client names a called function: `namespace` is set for one inside a namespace tool. */
export interface ClientToolName {
  name: string;
  namespace?: string;
}

/** The flat name of function `name` of namespace `namespace`. */
export function namespacedName(namespace: string, name: string): string {
  const joined = `${namespace}__${name}`;
  if (FLAT_NAME.test(joined)) return joined;
  const safe = joined.replace(/[^a-zA-Z0-9_-]/g, "_");
  const suffix = `_${fnv1a(joined)}`;
  return (/^[a-zA-Z_]/.test(safe) ? safe : `_${safe}`).slice(0, MAX_LENGTH - suffix.length) + suffix;
}

/** The flat name of a called function, from a Responses item's `name` and optional `namespace`. */
export function flatCallName(name: string, namespace: string | undefined): string {
  return namespace === undefined ? name : namespacedName(namespace, name);
}

/** The names the client knows the tool called `name` by. */
export function clientToolName(name: string, tools: readonly IRTool[] | undefined): ClientToolName {
  return tools?.find((tool) => tool.name === name)?.namespaced ?? { name };
}

/** 32-bit FNV-1a as 8 hex digits: short, stable, and enough to tell long names apart. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}
