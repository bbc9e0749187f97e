/**
 * Switchyard API keys: high-entropy secrets shown once and stored as SHA-256 hashes (a slow hash
 * buys nothing for 192 random bits and would cost every request). Lookups go to the in-memory repo.
 */
import type { ApiKeyLimits, ApiKeysRepo } from "../store/api-keys.ts";
import type { ApiKeyRow } from "../store/schema.ts";

export const KEY_PREFIX = "sk-sy-";

export function hashSecret(secret: string): string {
  return new Bun.CryptoHasher("sha256").update(secret).digest("hex");
}

export interface CreatedKey {
  row: ApiKeyRow;
  /** The full secret: returned once, never stored. */
  secret: string;
}

export function createApiKey(
  repo: ApiKeysRepo,
  label: string,
  isAdmin: boolean,
  limits: Partial<Omit<ApiKeyLimits, "label">> = {},
): CreatedKey {
  const secret = KEY_PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
  const row = repo.create({
    id: crypto.randomUUID(),
    label,
    keyHash: hashSecret(secret),
    keyPreview: secret.slice(-4),
    isAdmin,
    ...limits,
  });
  return { row, secret };
}

/** The live key for a secret, if any; marks it used. */
export function authenticateKey(repo: ApiKeysRepo, secret: string): ApiKeyRow | undefined {
  if (!secret.startsWith(KEY_PREFIX)) return undefined;
  const row = repo.findByHash(hashSecret(secret));
  if (row === undefined || !row.isActive) return undefined;
  repo.markUsed(row);
  return row;
}
