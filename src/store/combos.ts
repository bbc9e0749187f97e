/**
 * Combos and fallback chains, kept whole in memory and written through to the DB.
 */
import { eq } from "drizzle-orm";
import type { Store } from "./db.ts";
import { type ComboRow, combos, type FallbackChainRow, fallbackChains } from "./schema.ts";

export type NewCombo = typeof combos.$inferInsert;

export class CombosRepo {
  private readonly byId = new Map<string, ComboRow>();
  private readonly chains = new Map<string, FallbackChainRow>();
  /** Bumped on every write, for derived caches. */
  version = 0;

  constructor(private readonly store: Store) {
    for (const row of store.db.select().from(combos).all()) this.byId.set(row.id, row);
    for (const row of store.db.select().from(fallbackChains).all()) this.chains.set(row.model, row);
  }

  list(): ComboRow[] {
    return [...this.byId.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(id: string): ComboRow | undefined {
    return this.byId.get(id);
  }

  findByName(name: string): ComboRow | undefined {
    for (const row of this.byId.values()) if (row.name === name) return row;
    return undefined;
  }

  create(values: NewCombo): ComboRow {
    const row = this.store.db.insert(combos).values(values).returning().get();
    this.byId.set(row.id, row);
    this.version++;
    return row;
  }

  update(id: string, changes: Partial<Omit<NewCombo, "id" | "createdAt">>): ComboRow | undefined {
    if (!this.byId.has(id)) return undefined;
    const row = this.store.db
      .update(combos)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(combos.id, id))
      .returning()
      .get();
    if (row) this.byId.set(id, row);
    this.version++;
    return row;
  }

  delete(id: string): boolean {
    if (!this.byId.delete(id)) return false;
    this.store.db.delete(combos).where(eq(combos.id, id)).run();
    this.version++;
    return true;
  }

  listChains(): FallbackChainRow[] {
    return [...this.chains.values()].sort((a, b) => a.model.localeCompare(b.model));
  }

  getChain(model: string): FallbackChainRow | undefined {
    return this.chains.get(model);
  }

  setChain(model: string, chain: FallbackChainRow["chain"]): FallbackChainRow {
    const row = this.store.db
      .insert(fallbackChains)
      .values({ model, chain })
      .onConflictDoUpdate({ target: fallbackChains.model, set: { chain } })
      .returning()
      .get();
    this.chains.set(model, row);
    this.version++;
    return row;
  }

  deleteChain(model: string): boolean {
    if (!this.chains.delete(model)) return false;
    this.store.db.delete(fallbackChains).where(eq(fallbackChains.model, model)).run();
    this.version++;
    return true;
  }
}
