/**
 * API keys as the gateway sees them: every live key in memory, looked up by the hash of its
 * secret, so that checking a key never touches the disk. Last-used times are kept in memory and
 * written in one batch (`flushUsage`), not on every request.
 */
import { eq, isNull } from "drizzle-orm";
import { dataVersion, type Store } from "./db.ts";
import { type ApiKeyRow, apiKeys } from "./schema.ts";

/** What a key may do, beyond being a key: changeable after it was created. */
export type ApiKeyLimits = Pick<
  ApiKeyRow,
  | "label"
  | "noLog"
  | "allowedModels"
  | "requestsPerMinute"
  | "requestsPerDay"
  | "tokensPerMinute"
  | "expiresAt"
  | "ipAllowlist"
>;

export type NewApiKey = Pick<ApiKeyRow, "id" | "label" | "keyHash" | "keyPreview" | "isAdmin"> &
  Partial<ApiKeyLimits>;

export class ApiKeysRepo {
  private readonly byHash = new Map<string, ApiKeyRow>();
  private readonly byId = new Map<string, ApiKeyRow>();
  private readonly usedSinceFlush = new Set<string>();

  private loadedVersion = -1;

  constructor(private readonly store: Store) {
    this.load();
  }

  private get db() {
    return this.store.db;
  }

  private load(): void {
    this.loadedVersion = dataVersion(this.store.sqlite);
    this.byHash.clear();
    this.byId.clear();
    for (const row of this.db.select().from(apiKeys).where(isNull(apiKeys.revokedAt)).all())
      this.remember(row);
  }

  /** Live keys, newest first. */
  list(): ApiKeyRow[] {
    return [...this.byId.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  get(id: string): ApiKeyRow | undefined {
    return this.byId.get(id);
  }

  /** From memory; only on a miss, and only if another process wrote to the DB, are the keys reloaded. */
  findByHash(keyHash: string): ApiKeyRow | undefined {
    const row = this.byHash.get(keyHash);
    if (row !== undefined || dataVersion(this.store.sqlite) === this.loadedVersion) return row;
    this.flushUsage();
    this.load();
    return this.byHash.get(keyHash);
  }

  create(key: NewApiKey): ApiKeyRow {
    const row = this.db.insert(apiKeys).values(key).returning().get();
    this.remember(row);
    return row;
  }

  /** Changes a live key's label and limits; the next request sees them. Undefined for an unknown id. */
  update(id: string, changes: Partial<ApiKeyLimits>): ApiKeyRow | undefined {
    if (!this.byId.has(id)) return undefined;
    const row = this.db.update(apiKeys).set(changes).where(eq(apiKeys.id, id)).returning().get();
    if (row === undefined) return undefined;
    row.lastUsedAt = this.byId.get(id)?.lastUsedAt ?? row.lastUsedAt;
    this.remember(row);
    return row;
  }

  /** Revokes at once: the next request with this key is refused. Returns false for an unknown id. */
  revoke(id: string): boolean {
    const row = this.byId.get(id);
    if (row === undefined) return false;
    this.db.update(apiKeys).set({ revokedAt: new Date(), isActive: false }).where(eq(apiKeys.id, id)).run();
    this.byId.delete(id);
    this.byHash.delete(row.keyHash);
    this.usedSinceFlush.delete(id);
    return true;
  }

  markUsed(row: ApiKeyRow, at = new Date()): void {
    row.lastUsedAt = at;
    this.usedSinceFlush.add(row.id);
  }

  /** Writes the last-used times gathered since the previous flush, in one transaction. */
  flushUsage(): void {
    if (this.usedSinceFlush.size === 0) return;
    const ids = [...this.usedSinceFlush];
    this.usedSinceFlush.clear();
    this.db.transaction((tx) => {
      for (const id of ids) {
        const lastUsedAt = this.byId.get(id)?.lastUsedAt;
        if (lastUsedAt) tx.update(apiKeys).set({ lastUsedAt }).where(eq(apiKeys.id, id)).run();
      }
    });
  }

  private remember(row: ApiKeyRow): void {
    this.byHash.set(row.keyHash, row);
    this.byId.set(row.id, row);
  }
}
