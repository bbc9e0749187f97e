/**
 * A context over a fresh temp data dir with a movable clock and a recorder that only writes when
 * told to (its timer is an hour), for unit tests of the usage room. Dispose it to stop and delete.
 */
import { rmSync } from "node:fs";
import { type AppContext, createContext } from "../../src/context.ts";
import { createLogger } from "../../src/ops/log.ts";
import { openStore } from "../../src/store/db.ts";
import type { UsageOptions } from "../../src/usage/index.ts";
import { tempDir } from "./server.ts";

export interface UsageContext extends Disposable {
  context: AppContext;
  dataDir: string;
  /** The clock the usage room reads; set `clock.now` to move it. */
  clock: { now: number };
  /** Closes this context and opens a new one over the same data dir (a restart). */
  reopen(): AppContext;
}

const HOUR_MS = 3_600_000;

export function usageContext(options: UsageOptions = {}, startAt = Date.UTC(2026, 11, 2, 12)): UsageContext {
  const dataDir = tempDir();
  const clock = { now: startAt };
  const open = () =>
    createContext(openStore(dataDir), createLogger("silent"), {
      now: () => clock.now,
      flushIntervalMs: HOUR_MS,
      pruneIntervalMs: HOUR_MS,
      ...options,
    });
  const handle: UsageContext = {
    context: open(),
    dataDir,
    clock,
    reopen() {
      handle.context.usage.stop();
      handle.context.store.close();
      handle.context = open();
      return handle.context;
    },
    [Symbol.dispose]() {
      handle.context.usage.stop();
      handle.context.store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
