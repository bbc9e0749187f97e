/**
 * Provider connections, custom provider nodes and model aliases: the hot routing config, kept
 * whole in memory and written through to the DB. Reads never touch the disk.
 */
import { eq } from "drizzle-orm";
import type { Store } from "./db.ts";
import {
  type ModelAliasRow,
  modelAliases,
  type ProviderConnectionRow,
  type ProviderNodeRow,
  providerConnections,
  providerNodes,
} from "./schema.ts";

export type NewConnection = typeof providerConnections.$inferInsert;
export type ConnectionChanges = Partial<Omit<NewConnection, "id" | "createdAt">>;
export type NewNode = typeof providerNodes.$inferInsert;
export type NodeChanges = Partial<Omit<NewNode, "id" | "createdAt">>;

export class ProvidersRepo {
  private connections = new Map<string, ProviderConnectionRow>();
  private nodes = new Map<string, ProviderNodeRow>();
  private aliases = new Map<string, ModelAliasRow>();
  /** Bumped on every write, so that derived caches (model resolution) know to rebuild. */
  version = 0;

  constructor(private readonly store: Store) {
    const { db } = store;
    for (const row of db.select().from(providerConnections).all()) this.connections.set(row.id, row);
    for (const row of db.select().from(providerNodes).all()) this.nodes.set(row.id, row);
    for (const row of db.select().from(modelAliases).all()) this.aliases.set(row.alias, row);
  }

  /** Connections in routing order: priority ascending, then oldest first. */
  listConnections(): ProviderConnectionRow[] {
    return [...this.connections.values()].sort(
      (a, b) =>
        a.priority - b.priority || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
    );
  }

  getConnection(id: string): ProviderConnectionRow | undefined {
    return this.connections.get(id);
  }

  createConnection(values: NewConnection): ProviderConnectionRow {
    const row = this.store.db.insert(providerConnections).values(values).returning().get();
    this.connections.set(row.id, row);
    this.version++;
    return row;
  }

  updateConnection(id: string, changes: ConnectionChanges): ProviderConnectionRow | undefined {
    if (!this.connections.has(id)) return undefined;
    const row = this.store.db
      .update(providerConnections)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(providerConnections.id, id))
      .returning()
      .get();
    if (row) this.connections.set(id, row);
    this.version++;
    return row;
  }

  deleteConnection(id: string): boolean {
    if (!this.connections.delete(id)) return false;
    this.store.db.delete(providerConnections).where(eq(providerConnections.id, id)).run();
    this.version++;
    return true;
  }

  listNodes(): ProviderNodeRow[] {
    return [...this.nodes.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  getNode(id: string): ProviderNodeRow | undefined {
    return this.nodes.get(id);
  }

  /** A node by id or by its prefix. */
  findNode(idOrPrefix: string): ProviderNodeRow | undefined {
    return this.nodes.get(idOrPrefix) ?? [...this.nodes.values()].find((node) => node.prefix === idOrPrefix);
  }

  createNode(values: NewNode): ProviderNodeRow {
    const row = this.store.db.insert(providerNodes).values(values).returning().get();
    this.nodes.set(row.id, row);
    this.version++;
    return row;
  }

  updateNode(id: string, changes: NodeChanges): ProviderNodeRow | undefined {
    if (!this.nodes.has(id)) return undefined;
    const row = this.store.db
      .update(providerNodes)
      .set(changes)
      .where(eq(providerNodes.id, id))
      .returning()
      .get();
    if (row) this.nodes.set(id, row);
    this.version++;
    return row;
  }

  /** Deletes the node and the connections that use it, in one transaction. */
  deleteNode(id: string): boolean {
    if (!this.nodes.has(id)) return false;
    const dependents = [...this.connections.values()].filter((connection) => connection.provider === id);
    this.store.db.transaction((tx) => {
      for (const connection of dependents) {
        tx.delete(providerConnections).where(eq(providerConnections.id, connection.id)).run();
      }
      tx.delete(providerNodes).where(eq(providerNodes.id, id)).run();
    });
    for (const connection of dependents) this.connections.delete(connection.id);
    this.nodes.delete(id);
    this.version++;
    return true;
  }

  listAliases(): ModelAliasRow[] {
    return [...this.aliases.values()].sort((a, b) => a.alias.localeCompare(b.alias));
  }

  getAlias(alias: string): ModelAliasRow | undefined {
    return this.aliases.get(alias);
  }

  setAlias(alias: string, target: string): ModelAliasRow {
    const row = this.store.db
      .insert(modelAliases)
      .values({ alias, target })
      .onConflictDoUpdate({ target: modelAliases.alias, set: { target } })
      .returning()
      .get();
    this.aliases.set(alias, row);
    this.version++;
    return row;
  }

  deleteAlias(alias: string): boolean {
    if (!this.aliases.delete(alias)) return false;
    this.store.db.delete(modelAliases).where(eq(modelAliases.alias, alias)).run();
    this.version++;
    return true;
  }
}
