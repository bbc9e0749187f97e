/**
 * Failed-login throttling per client address: after `limit` failures inside `windowMs`, further
 * attempts are refused until the oldest failure leaves the window.
 */

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until this address may try again, or 0 if it may try now. */
  retryAfter(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.limit) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - this.now()) / 1000));
  }

  fail(address: string): void {
    const recent = this.recent(address);
    recent.push(this.now());
    this.failures.set(address, recent);
  }

  succeed(address: string): void {
    this.failures.delete(address);
  }

  private recent(address: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const recent = (this.failures.get(address) ?? []).filter((time) => time > cutoff);
    if (recent.length === 0) this.failures.delete(address);
    return recent;
  }
}
