/**
 * Request bodies saved by name from the translator playground. Read only when asked for.
 */
import { asc, eq, sql } from "drizzle-orm";
import type { Store } from "./db.ts";
import { type TranslatorSnippetRow, translatorSnippets } from "./schema.ts";

export type SnippetInput = Pick<TranslatorSnippetRow, "name" | "body"> &
  Partial<Pick<TranslatorSnippetRow, "sourceFormat" | "targetFormat">>;

export class TranslatorSnippetsRepo {
  constructor(private readonly store: Store) {}

  list(): TranslatorSnippetRow[] {
    return this.store.db.select().from(translatorSnippets).orderBy(asc(translatorSnippets.name)).all();
  }

  get(name: string): TranslatorSnippetRow | undefined {
    return this.store.db.select().from(translatorSnippets).where(eq(translatorSnippets.name, name)).get();
  }

  /** Saves under the name, replacing what was saved there. */
  save(snippet: SnippetInput): TranslatorSnippetRow {
    const values = { sourceFormat: null, targetFormat: null, ...snippet };
    return this.store.db
      .insert(translatorSnippets)
      .values(values)
      .onConflictDoUpdate({
        target: translatorSnippets.name,
        set: {
          body: values.body,
          sourceFormat: values.sourceFormat,
          targetFormat: values.targetFormat,
          updatedAt: sql`(unixepoch('subsec') * 1000)`,
        },
      })
      .returning()
      .get();
  }
}
