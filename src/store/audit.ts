/**
 * The audit log: appended to by the management API's audit hook, read newest first with filters.
 * Writes go straight to the DB (management changes are rare); nothing is cached.
 */
import { and, count, desc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Store } from "./db.ts";
import { type AuditLogRow, auditLog } from "./schema.ts";

export type NewAuditEntry = Omit<typeof auditLog.$inferInsert, "id">;

export interface AuditFilter {
  actor?: string;
  method?: string;
  /** A fragment of the route pattern. */
  route?: string;
  target?: string;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

export class AuditRepo {
  constructor(private readonly store: Store) {}

  append(entry: NewAuditEntry): void {
    this.store.db.insert(auditLog).values(entry).run();
  }

  /** One page, newest first, and how many entries match in all. */
  query(filter: AuditFilter): { entries: AuditLogRow[]; total: number } {
    const conditions: SQL[] = [];
    if (filter.actor !== undefined) conditions.push(eq(auditLog.actor, filter.actor));
    if (filter.method !== undefined) conditions.push(eq(auditLog.method, filter.method.toUpperCase()));
    if (filter.route !== undefined) conditions.push(sql`instr(${auditLog.route}, ${filter.route}) > 0`);
    if (filter.target !== undefined) conditions.push(eq(auditLog.target, filter.target));
    if (filter.from !== undefined) conditions.push(gte(auditLog.at, filter.from));
    if (filter.to !== undefined) conditions.push(lte(auditLog.at, filter.to));
    const where = conditions.length === 0 ? undefined : and(...conditions);
    const { db } = this.store;
    const entries = db
      .select()
      .from(auditLog)
      .where(where)
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(filter.limit)
      .offset(filter.offset)
      .all();
    const total = db.select({ total: count() }).from(auditLog).where(where).get()?.total ?? 0;
    return { entries, total };
  }
}
