/**
 * Model string → plan: the ordered targets (connection + upstream model) that can serve it.
 *   1. aliases are followed (at most a few hops; a cycle is an error, not a hang);
 *   2. `<provider or node prefix>/<model>` pins the provider and strips the prefix;
 *   3. a bare id goes to every active connection that knows it (the catalogue's models, the
 *      models the upstream listed, its default model), in connection priority order.
 * Endpoints (with decrypted keys) are built once per connection and rebuilt when the config changes.
 */
import { modelSpec, providerSpec } from "../providers/catalog.ts";
import { type Endpoint, endpointFor } from "../providers/endpoint.ts";
import type { SecretBox } from "../security/secrets.ts";
import type { ProvidersRepo } from "../store/providers.ts";
import type { ProviderConnectionRow } from "../store/schema.ts";

export interface Target {
  connection: ProviderConnectionRow;
  endpoint: Endpoint;
  /** The model id to send upstream. */
  model: string;
}

export interface Plan {
  /** The model string the client asked for. */
  requested: string;
  targets: Target[];
  /** How the string was read, for the response headers and logs. */
  via: "alias" | "provider" | "bare";
}

export class ResolveError extends Error {
  override name = "ResolveError";
}

const MAX_ALIAS_HOPS = 4;

export class Resolver {
  private endpoints = new Map<string, Endpoint | undefined>();
  private builtFor = -1;

  constructor(
    private readonly providers: ProvidersRepo,
    private readonly secrets: SecretBox,
  ) {}

  /** The plan for a model string; its targets are empty when nothing connected serves it. */
  resolve(requested: string, pinnedProvider?: string): Plan {
    let model = requested.trim();
    let via: Plan["via"] = "bare";
    for (let hop = 0; ; hop++) {
      const alias = this.providers.getAlias(model);
      if (alias === undefined) break;
      if (hop >= MAX_ALIAS_HOPS)
        throw new ResolveError(`alias '${requested}' does not lead to a model (loop?)`);
      model = alias.target;
      via = "alias";
    }
    if (pinnedProvider !== undefined) {
      const pinned = this.providerTargets(pinnedProvider, stripPrefix(model, pinnedProvider));
      return { requested, targets: pinned ?? [], via: "provider" };
    }
    const slash = model.indexOf("/");
    if (slash > 0) {
      const targets = this.providerTargets(model.slice(0, slash), model.slice(slash + 1));
      if (targets !== undefined) return { requested, targets, via: via === "alias" ? via : "provider" };
    }
    return { requested, targets: this.bareTargets(model), via };
  }

  /** Active connections with a usable endpoint, in routing order. */
  connectedTargets(): Array<{ connection: ProviderConnectionRow; endpoint: Endpoint }> {
    this.refresh();
    const usable: Array<{ connection: ProviderConnectionRow; endpoint: Endpoint }> = [];
    for (const connection of this.providers.listConnections()) {
      const endpoint = this.endpoints.get(connection.id);
      if (connection.isActive && endpoint) usable.push({ connection, endpoint });
    }
    return usable;
  }

  /** Targets at one provider (catalogue id, alias or node prefix); undefined when the prefix names none. */
  private providerTargets(prefix: string, model: string): Target[] | undefined {
    const spec = providerSpec(prefix);
    const node = spec ? undefined : this.providers.findNode(prefix);
    if (!spec && !node) return undefined;
    const providerId = spec?.id ?? node!.id;
    return this.connectedTargets()
      .filter(({ endpoint }) => endpoint.providerId === providerId)
      .map((target) => ({ ...target, model }));
  }

  private bareTargets(model: string): Target[] {
    return this.connectedTargets()
      .filter(({ connection, endpoint }) => knows(connection, endpoint, model))
      .map((target) => ({ ...target, model }));
  }

  private refresh(): void {
    if (this.builtFor === this.providers.version) return;
    this.endpoints = new Map();
    for (const connection of this.providers.listConnections()) {
      const apiKey = openKeyOf(this.secrets, connection);
      if (apiKey === null) continue;
      this.endpoints.set(
        connection.id,
        endpointFor(connection, apiKey, (idOrPrefix) => this.providers.findNode(idOrPrefix)),
      );
    }
    this.builtFor = this.providers.version;
  }
}

/** The decrypted key; null when it cannot be decrypted (the data dir's secret.key was replaced). */
function openKeyOf(secrets: SecretBox, connection: ProviderConnectionRow): string | undefined | null {
  if (!connection.apiKeyEncrypted) return undefined;
  try {
    return secrets.open(connection.apiKeyEncrypted);
  } catch {
    return null;
  }
}

function knows(connection: ProviderConnectionRow, endpoint: Endpoint, model: string): boolean {
  return (
    connection.defaultModel === model ||
    (connection.models?.includes(model) ?? false) ||
    modelSpec(endpoint.providerId, model) !== undefined
  );
}

function stripPrefix(model: string, provider: string): string {
  return model.startsWith(`${provider}/`) ? model.slice(provider.length + 1) : model;
}
