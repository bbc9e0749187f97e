/**
 * The models reachable right now: for every active connection, its default model, the
 * catalogue's models for its provider and the models its upstream listed, as the
 * "<provider>/<model>" strings clients send.
 */
import { providerSpec } from "../providers/catalog.ts";
import type { Resolver } from "./resolve.ts";

export interface ReachableModel {
  /** The string a client sends: "<prefix>/<model>". */
  id: string;
  model: string;
  provider: string;
  connectionId: string;
  source: "catalogue" | "upstream" | "default";
}

/** First connection first, each model string once. */
export function reachableModels(resolver: Resolver): ReachableModel[] {
  const seen = new Set<string>();
  const listed: ReachableModel[] = [];
  const add = (entry: ReachableModel) => {
    if (seen.has(entry.id)) return;
    seen.add(entry.id);
    listed.push(entry);
  };
  for (const { connection, endpoint } of resolver.connectedTargets()) {
    const base = { provider: endpoint.prefix, connectionId: connection.id };
    const entry = (model: string, source: ReachableModel["source"]) => ({
      ...base,
      id: `${endpoint.prefix}/${model}`,
      model,
      source,
    });
    if (connection.defaultModel) add(entry(connection.defaultModel, "default"));
    for (const model of providerSpec(endpoint.providerId)?.models ?? []) add(entry(model.id, "catalogue"));
    for (const model of connection.models ?? []) add(entry(model, "upstream"));
  }
  return listed;
}
