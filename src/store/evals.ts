/**
 * Eval suites (prompts with checks) and their runs. Read only when asked for.
 */
import { desc, eq } from "drizzle-orm";
import type { Store } from "./db.ts";
import { type EvalRunRow, type EvalSuiteRow, evalRuns, evalSuites } from "./schema.ts";

export type NewEvalSuite = Pick<EvalSuiteRow, "id" | "name" | "cases"> &
  Partial<Pick<EvalSuiteRow, "description">>;

export type EvalRunSummary = Omit<EvalRunRow, "results">;

export class EvalsRepo {
  constructor(private readonly store: Store) {}

  listSuites(): EvalSuiteRow[] {
    return this.store.db.select().from(evalSuites).orderBy(evalSuites.name).all();
  }

  getSuite(id: string): EvalSuiteRow | undefined {
    return this.store.db.select().from(evalSuites).where(eq(evalSuites.id, id)).get();
  }

  findSuiteByName(name: string): EvalSuiteRow | undefined {
    return this.store.db.select().from(evalSuites).where(eq(evalSuites.name, name)).get();
  }

  createSuite(suite: NewEvalSuite): EvalSuiteRow {
    return this.store.db.insert(evalSuites).values(suite).returning().get();
  }

  addRun(run: EvalRunRow): EvalRunRow {
    return this.store.db.insert(evalRuns).values(run).returning().get();
  }

  /** Runs of a suite, newest first. */
  runsOf(suiteId: string, limit = 20): EvalRunRow[] {
    return this.store.db
      .select()
      .from(evalRuns)
      .where(eq(evalRuns.suiteId, suiteId))
      .orderBy(desc(evalRuns.startedAt))
      .limit(limit)
      .all();
  }

  /** The newest run of every suite, without its results, for the list. */
  latestRuns(): Map<string, EvalRunSummary> {
    const latest = new Map<string, EvalRunSummary>();
    const { id, suiteId, startedAt, finishedAt, models, passed, failed } = evalRuns;
    const summaries = this.store.db
      .select({ id, suiteId, startedAt, finishedAt, models, passed, failed })
      .from(evalRuns)
      .orderBy(desc(evalRuns.startedAt))
      .all();
    for (const run of summaries) {
      if (!latest.has(run.suiteId)) latest.set(run.suiteId, run);
    }
    return latest;
  }
}
