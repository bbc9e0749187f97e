/**
 * Copies of the tools' config files, taken before Switchyard changes them (and on demand), kept
 * under `<data dir>/tool-backups/<id>/` with a `backup.json` that says what each copy was. A
 * restore puts every file back as it was, removing one that did not exist then, after backing up
 * the files as they are now. The newest backups per tool are kept.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { removeConfig, writeAtomically } from "./config-files.ts";

export interface BackupFile {
  /** The file's own path. */
  path: string;
  existed: boolean;
  size: number;
}

export interface Backup {
  id: string;
  tool: string;
  createdAt: string;
  /** Why it was taken: before an apply, a reset or a restore, or asked for. */
  reason: string;
  files: BackupFile[];
}

const KEPT_PER_TOOL = 10;
const MANIFEST = "backup.json";

export class ToolBackups {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, "tool-backups");
  }

  create(tool: string, paths: readonly string[], reason: string): Backup {
    const createdAt = new Date();
    const id = `${createdAt.toISOString().replace(/[:.]/g, "-")}-${tool}-${crypto.randomUUID().slice(0, 8)}`;
    const dir = join(this.root, id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const files = paths.map((path, index) => {
      const existed = existsSync(path);
      if (existed) copyFileSync(path, join(dir, String(index)));
      return { path, existed, size: existed ? statSync(path).size : 0 };
    });
    const backup: Backup = { id, tool, createdAt: createdAt.toISOString(), reason, files };
    writeFileSync(join(dir, MANIFEST), JSON.stringify(backup, null, 2), { mode: 0o600 });
    this.prune(tool);
    return backup;
  }

  /** Newest first; one tool's, or every tool's. */
  list(tool?: string): Backup[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .map((id) => this.find(id))
      .filter(
        (backup): backup is Backup => backup !== undefined && (tool === undefined || backup.tool === tool),
      )
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  find(id: string): Backup | undefined {
    if (!/^[\w-]+$/.test(id)) return undefined;
    const manifest = join(this.root, id, MANIFEST);
    if (!existsSync(manifest)) return undefined;
    try {
      return JSON.parse(readFileSync(manifest, "utf8")) as Backup;
    } catch {
      return undefined;
    }
  }

  /** Puts the files back; returns the backup of how they were just before. */
  restore(backup: Backup): Backup {
    // Read first: the backup taken now may prune the one being restored.
    const copies = backup.files.map((file, index) =>
      file.existed ? readFileSync(join(this.root, backup.id, String(index)), "utf8") : undefined,
    );
    const before = this.create(
      backup.tool,
      backup.files.map((file) => file.path),
      `before restoring ${backup.id}`,
    );
    backup.files.forEach((file, index) => {
      const copy = copies[index];
      if (copy === undefined) removeConfig(file.path);
      else writeAtomically(file.path, copy);
    });
    return before;
  }

  private prune(tool: string): void {
    for (const old of this.list(tool).slice(KEPT_PER_TOOL))
      rmSync(join(this.root, old.id), { recursive: true, force: true });
  }
}
