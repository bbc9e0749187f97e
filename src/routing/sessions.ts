/**
 * Session affinity: a client that sends `X-Session-Id` is routed to the connection that served
 * its session last, while that connection is still among the healthy targets. In memory, capped,
 * idle sessions forgotten.
 */
import type { Target } from "./resolve.ts";

const IDLE_MS = 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

export interface SessionEntry {
  sessionId: string;
  apiKeyId: string;
  connectionId: string;
  lastSeen: number;
  requests: number;
}

export class Sessions {
  private readonly entries = new Map<string, SessionEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The targets with the session's connection moved to the front, if it is there. */
  preferred(sessionId: string, targets: Target[]): Target[] {
    const entry = this.entries.get(sessionId);
    if (!entry || this.now() - entry.lastSeen > IDLE_MS) return targets;
    const index = targets.findIndex((target) => target.connection.id === entry.connectionId);
    if (index <= 0) return targets;
    return [targets[index]!, ...targets.slice(0, index), ...targets.slice(index + 1)];
  }

  remember(sessionId: string, connectionId: string, apiKeyId: string): void {
    const existing = this.entries.get(sessionId);
    this.entries.delete(sessionId);
    this.entries.set(sessionId, {
      sessionId,
      apiKeyId,
      connectionId,
      lastSeen: this.now(),
      requests: (existing?.requests ?? 0) + 1,
    });
    // Map order is insertion order: the first entry is the least recently used.
    if (this.entries.size > MAX_SESSIONS) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Sessions seen within the idle window, most recent first. */
  active(): SessionEntry[] {
    const cutoff = this.now() - IDLE_MS;
    return [...this.entries.values()].filter((entry) => entry.lastSeen >= cutoff).reverse();
  }
}
