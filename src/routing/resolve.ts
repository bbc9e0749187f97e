/**
 * Model string → plan: the ordered targets (connection + upstream model) that can serve it.
 *   1. aliases are followed (at most a few hops; a cycle is an error, not a hang);
 *   2. a combo's name expands into its steps, ordered by its strategy (steps may name other
 *      combos, up to MAX_COMBO_DEPTH deep; cycles are refused when a combo is saved);
 *   3. `<provider or node prefix>/<model>` pins the provider and strips the prefix;
 *   4. a bare id goes to every active connection that knows it (the catalogue's models, the
 *      models the upstream listed, its default model), ordered by its fallback chain if it has one.
 * Within one provider, accounts are ordered by the account strategy.
 * Endpoints (with decrypted keys) are built once per connection and rebuilt when the config changes.
 */
import { modelSpec, providerSpec } from "../providers/catalog.ts";
import { type Endpoint, endpointFor } from "../providers/endpoint.ts";
import type { SecretBox } from "../security/secrets.ts";
import type { CombosRepo } from "../store/combos.ts";
import type { ProvidersRepo } from "../store/providers.ts";
import type { ComboRow, ProviderConnectionRow } from "../store/schema.ts";
import { type AccountStrategy, type ComboStrategy, orderAccounts, orderSteps } from "./strategies.ts";

export interface Target {
  connection: ProviderConnectionRow;
  endpoint: Endpoint;
  /** The model id to send upstream. */
  model: string;
  /** The combo (outermost) and step this target came from. */
  combo?: { name: string; step: number };
}

export interface Plan {
  /** The model string the client asked for. */
  requested: string;
  targets: Target[];
  /** How the string was read, for the response headers and logs. */
  via: "alias" | "combo" | "provider" | "bare";
}

export interface RoutingChoices {
  accountStrategy: AccountStrategy;
  /** Round-robin accounts move on every this many requests. */
  stickyRequests: number;
  /** Attempts in flight per connection (least-used, power-of-two). */
  inFlight(connectionId: string): number;
  /** Requests a combo step has served (least-used combos). */
  stepUses(combo: string, step: number): number;
}

export const MAX_COMBO_DEPTH = 3;

export class ResolveError extends Error {
  override name = "ResolveError";
}

const MAX_ALIAS_HOPS = 4;

export class Resolver {
  /** Active connections with a usable endpoint, in routing order, as of `builtFor`. */
  private usable: Array<{ connection: ProviderConnectionRow; endpoint: Endpoint }> = [];
  private builtFor = -1;
  /** Requests per combo and per provider, for round-robin turns. */
  private readonly turns = new Map<string, number>();

  constructor(
    private readonly providers: ProvidersRepo,
    private readonly combos: CombosRepo,
    private readonly secrets: SecretBox,
    private readonly choices: () => RoutingChoices,
  ) {}

  /** The plan for a model string; its targets are empty when nothing connected serves it. */
  resolve(requested: string, pinnedProvider?: string): Plan {
    const { model, aliased } = this.followAliases(requested.trim());
    if (pinnedProvider !== undefined) {
      const pinned = this.providerTargets(pinnedProvider, stripPrefix(model, pinnedProvider));
      return { requested, targets: pinned ?? [], via: "provider" };
    }
    const combo = this.combos.findByName(model);
    if (combo) return { requested, targets: this.comboTargets(combo, 1), via: "combo" };
    const { targets, via } = this.modelTargets(model);
    return { requested, targets, via: aliased ? "alias" : via };
  }

  private followAliases(start: string): { model: string; aliased: boolean } {
    let model = start;
    for (let hop = 0; ; hop++) {
      const alias = this.providers.getAlias(model);
      if (alias === undefined) return { model, aliased: hop > 0 };
      if (hop >= MAX_ALIAS_HOPS) throw new ResolveError(`alias '${start}' does not lead to a model (loop?)`);
      model = alias.target;
    }
  }

  /** A provider-prefixed or bare model string (no combo) → targets. */
  private modelTargets(model: string): { targets: Target[]; via: "provider" | "bare" } {
    const slash = model.indexOf("/");
    if (slash > 0) {
      const targets = this.providerTargets(model.slice(0, slash), model.slice(slash + 1));
      if (targets !== undefined) return { targets, via: "provider" };
    }
    return { targets: this.withFallbackChain(model, this.bareTargets(model)), via: "bare" };
  }

  /** The combo's steps in strategy order, each resolved, without repeating a (connection, model). */
  private comboTargets(combo: ComboRow, depth: number): Target[] {
    if (depth > MAX_COMBO_DEPTH)
      throw new ResolveError(`combo '${combo.name}' nests deeper than ${MAX_COMBO_DEPTH}`);
    const choices = this.choices();
    const order = orderSteps(
      combo.strategy as ComboStrategy,
      combo.steps.map((step, index) => ({
        weight: step.weight,
        priority: step.priority,
        uses: choices.stepUses(combo.name, index),
        cost:
          combo.strategy === "cost-optimized"
            ? this.stepCost(step.model ?? combo.model ?? undefined)
            : undefined,
      })),
      this.turn(`combo:${combo.name}`),
    );
    const seen = new Set<string>();
    const targets: Target[] = [];
    for (const index of order) {
      const step = combo.steps[index]!;
      for (const target of this.stepTargets(combo, step, depth)) {
        const key = `${target.connection.id}\u0000${target.model}`;
        if (seen.has(key)) continue;
        seen.add(key);
        targets.push({ ...target, combo: target.combo ?? { name: combo.name, step: index } });
      }
    }
    return targets;
  }

  private stepTargets(combo: ComboRow, step: ComboRow["steps"][number], depth: number): Target[] {
    const stepModel = step.model ?? combo.model ?? undefined;
    if (step.connectionId !== undefined) {
      const pinned = this.connectedTargets().find((target) => target.connection.id === step.connectionId);
      const model = stepModel ? this.followAliases(stepModel).model : pinned?.connection.defaultModel;
      if (!pinned || !model) return [];
      return [{ ...pinned, model: stripPrefix(model, pinned.endpoint.prefix) }];
    }
    if (!stepModel) return [];
    const { model } = this.followAliases(stepModel);
    const nested = this.combos.findByName(model);
    return nested ? this.comboTargets(nested, depth + 1) : this.modelTargets(model).targets;
  }

  /** USD per 1M input+output tokens of a step's model, when the catalogue knows it. */
  private stepCost(model: string | undefined): number | undefined {
    if (!model) return undefined;
    const cheapest = this.modelTargets(this.followAliases(model).model)
      .targets.map((target) => modelSpec(target.endpoint.providerId, target.model)?.pricing)
      .filter((pricing) => pricing !== undefined)
      .map((pricing) => pricing.input + pricing.output);
    return cheapest.length === 0 ? undefined : Math.min(...cheapest);
  }

  /** Bare-model targets reordered by the model's fallback chain: listed providers first, in its order. */
  private withFallbackChain(model: string, targets: Target[]): Target[] {
    const chain = this.combos.getChain(model)?.chain.filter((entry) => entry.enabled);
    if (!chain || chain.length === 0) return targets;
    const rank = (target: Target) => {
      const entry = chain.find(
        (link) => link.provider === target.endpoint.prefix || link.provider === target.endpoint.providerId,
      );
      return entry ? entry.priority : Number.POSITIVE_INFINITY;
    };
    return targets.toSorted((a, b) => rank(a) - rank(b));
  }

  private turn(key: string): number {
    const turn = this.turns.get(key) ?? 0;
    this.turns.set(key, turn + 1);
    return turn;
  }

  /** Active connections with a usable endpoint, in routing order. */
  connectedTargets(): ReadonlyArray<{ connection: ProviderConnectionRow; endpoint: Endpoint }> {
    this.refresh();
    return this.usable;
  }

  /** Targets at one provider (catalogue id, alias or node prefix); undefined when the prefix names none. */
  private providerTargets(prefix: string, model: string): Target[] | undefined {
    const spec = providerSpec(prefix);
    const node = spec ? undefined : this.providers.findNode(prefix);
    if (!spec && !node) return undefined;
    const providerId = spec?.id ?? node!.id;
    return this.orderedAccounts(
      this.connectedTargets()
        .filter(({ endpoint }) => endpoint.providerId === providerId)
        .map((target) => ({ ...target, model })),
    );
  }

  private bareTargets(model: string): Target[] {
    return this.orderedAccounts(
      this.connectedTargets()
        .filter(({ connection, endpoint }) => knows(connection, endpoint, model))
        .map((target) => ({ ...target, model })),
    );
  }

  /** Each provider's accounts in account-strategy order, the providers in their first-seen order. */
  private orderedAccounts(targets: Target[]): Target[] {
    const choices = this.choices();
    if (choices.accountStrategy === "fill-first" || targets.length < 2) return targets;
    const groups = new Map<string, Target[]>();
    for (const target of targets)
      groups.set(target.endpoint.providerId, [...(groups.get(target.endpoint.providerId) ?? []), target]);
    const ordered: Target[] = [];
    for (const [providerId, group] of groups) {
      const order = orderAccounts(
        choices.accountStrategy,
        group.map((target) => ({ inFlight: choices.inFlight(target.connection.id) })),
        this.turn(`accounts:${providerId}`),
        choices.stickyRequests,
      );
      for (const index of order) ordered.push(group[index]!);
    }
    return ordered;
  }

  /** Rebuilds the active connections' endpoints (decrypting keys) when the provider config changed. */
  private refresh(): void {
    if (this.builtFor === this.providers.version) return;
    this.usable = [];
    for (const connection of this.providers.listConnections()) {
      const apiKey = openKeyOf(this.secrets, connection);
      if (apiKey === null || !connection.isActive) continue;
      const endpoint = endpointFor(connection, apiKey, (idOrPrefix) => this.providers.findNode(idOrPrefix));
      if (endpoint) this.usable.push({ connection, endpoint });
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
