/**
 * Settings: small JSON documents by key, read from memory and written through to the DB.
 */
import { eq, sql } from "drizzle-orm";
import { dataVersion, type Store } from "./db.ts";
import { settings } from "./schema.ts";

export class SettingsRepo {
  private readonly cache = new Map<string, unknown>();

  private loadedVersion = -1;

  constructor(private readonly store: Store) {
    this.load();
  }

  private get db() {
    return this.store.db;
  }

  private load(): void {
    this.loadedVersion = dataVersion(this.store.sqlite);
    this.cache.clear();
    for (const row of this.db.select().from(settings).all()) this.cache.set(row.key, row.value);
  }

  /** Picks up what another process (the offline CLI) wrote; cheap when nothing changed. */
  reloadIfChangedElsewhere(): void {
    if (dataVersion(this.store.sqlite) !== this.loadedVersion) this.load();
  }

  get<T>(key: string): T | undefined {
    return this.cache.get(key) as T | undefined;
  }

  set(key: string, value: unknown): void {
    this.db
      .insert(settings)
      .values({ key, value })
      .onConflictDoUpdate({
        target: settings.key,
        set: { value, updatedAt: sql`(unixepoch('subsec') * 1000)` },
      })
      .run();
    this.cache.set(key, value);
  }

  delete(key: string): void {
    this.db.delete(settings).where(eq(settings.key, key)).run();
    this.cache.delete(key);
  }
}
