/**
 * The admin password: stored only as an argon2id hash in settings. On first start it comes from
 * INITIAL_PASSWORD or is generated; a generated one is returned to the caller to print once.
 */
import type { SettingsRepo } from "../store/settings.ts";

const PASSWORD_KEY = "admin.passwordHash";
/** Bumped when the password changes, so that every session issued before it stops working. */
const SESSION_EPOCH_KEY = "admin.sessionEpoch";

/**
 * OWASP's argon2id baseline (19 MiB, two passes). Bun's default of 64 MiB left the server's
 * memory 60 MB higher after every sign-in on a machine where idle is ~50 MB.
 */
const ARGON2 = { algorithm: "argon2id", memoryCost: 19_456, timeCost: 2 } as const;

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, ARGON2);
}

export function generatePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Buffer.from(bytes).toString("base64url");
}

export class AdminPassword {
  constructor(private readonly settings: SettingsRepo) {}

  isSet(): boolean {
    return this.settings.get<string>(PASSWORD_KEY) !== undefined;
  }

  /** Sets the password on first start; returns the generated one when there was no INITIAL_PASSWORD. */
  async ensure(initial: string | undefined): Promise<string | undefined> {
    if (this.isSet()) return undefined;
    const password = initial ?? generatePassword();
    await this.change(password);
    return initial === undefined ? password : undefined;
  }

  async verify(password: string): Promise<boolean> {
    this.settings.reloadIfChangedElsewhere();
    const hash = this.settings.get<string>(PASSWORD_KEY);
    if (hash === undefined || password === "") return false;
    return Bun.password.verify(password, hash);
  }

  async change(password: string): Promise<void> {
    this.settings.set(PASSWORD_KEY, await hashPassword(password));
    this.settings.set(SESSION_EPOCH_KEY, this.sessionEpoch() + 1);
  }

  /** Read on every session check: a password reset made offline ends sessions once the DB says so. */
  sessionEpoch(): number {
    this.settings.reloadIfChangedElsewhere();
    return this.settings.get<number>(SESSION_EPOCH_KEY) ?? 0;
  }
}
