/**
 * Provider API keys encrypted at rest with AES-256-GCM. The key lives in `<data-dir>/secret.key`
 * (mode 0600), beside the database rather than in it, so that a copy of the database alone, a
 * backup or a call log reveals no credential.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const FORMAT = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const SECRET_KEY_FILE = "secret.key";

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("secret key must be 32 bytes");
  }

  /** Loads the data dir's key, creating it on first start. */
  static forDataDir(dataDir: string): SecretBox {
    const path = join(dataDir, SECRET_KEY_FILE);
    if (!existsSync(path)) {
      writeFileSync(path, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
      chmodSync(path, 0o600);
    }
    return new SecretBox(Buffer.from(readFileSync(path, "utf8").trim(), "base64"));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
  }

  /** Throws when the text was not sealed with this key (wrong key file, tampering). */
  open(sealed: string): string {
    const [format, payload] = sealed.split(":", 2);
    if (format !== FORMAT || payload === undefined) throw new Error("unknown secret format");
    const bytes = Buffer.from(payload, "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      "utf8",
    );
  }
}

/** What may be shown of a secret: its last four characters. */
export function preview(secret: string): string {
  return secret.length <= 8 ? "…" : `…${secret.slice(-4)}`;
}
