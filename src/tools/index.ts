/**
 * The coding tools on this machine (Claude Code, Codex CLI, Droid, Kilo Code, Cline, OpenClaw):
 * whether each is installed, how it is set up, pointing it at Switchyard and back, with a backup
 * of its files before every change, and the guide for doing the same by hand elsewhere. The files
 * are the ones under `home` (the server's own home folder unless told another); the tools' own
 * environment overrides (CLAUDE_CONFIG_DIR, CODEX_HOME, …) belong to the user's shell, not ours.
 */

import { existsSync } from "node:fs";
import { type Backup, ToolBackups } from "./backups.ts";
import { claudeCode } from "./claude.ts";
import { clineCli } from "./cline.ts";
import { codexCli } from "./codex.ts";
import { renderConfig } from "./config-files.ts";
import { factoryDroid } from "./droid.ts";
import { kiloCode } from "./kilo.ts";
import { openClaw } from "./openclaw.ts";
import { detect, type Runtime } from "./runtime.ts";
import {
  type Connection,
  pathOf,
  readContents,
  type ToolSetup,
  type ToolState,
  writeContents,
} from "./tool.ts";

export type { Backup } from "./backups.ts";
export { ConfigFileProblem, UnreadableConfig } from "./config-files.ts";
export type { Connection, ToolSetup } from "./tool.ts";

export const TOOLS: readonly ToolSetup[] = [claudeCode, codexCli, factoryDroid, kiloCode, clineCli, openClaw];

export function toolById(id: string): ToolSetup | undefined {
  return TOOLS.find((tool) => tool.id === id);
}

export interface ToolStatus extends ToolState {
  tool: string;
  name: string;
  runtime: Runtime;
  files: Array<{ path: string; exists: boolean }>;
}

export interface GuideFile {
  /** Relative to the home folder, as `~/…`. */
  path: string;
  format: string;
  content: string;
}

export class CodingTools {
  readonly backups: ToolBackups;

  constructor(
    readonly home: string,
    dataDir: string,
  ) {
    this.backups = new ToolBackups(dataDir);
  }

  paths(tool: ToolSetup): string[] {
    return tool.files.map((file) => pathOf(this.home, file));
  }

  /** Throws UnreadableConfig when a file is there but cannot be read. */
  async status(tool: ToolSetup): Promise<ToolStatus> {
    const state = tool.state(readContents(this.home, tool));
    return {
      tool: tool.id,
      name: tool.name,
      runtime: await detect(tool.commands, this.home),
      files: this.paths(tool).map((path) => ({ path, exists: existsSync(path) })),
      ...state,
    };
  }

  /** Throws UnreadableConfig when a file of the tool's is there but cannot be read. */
  check(tool: ToolSetup): void {
    readContents(this.home, tool);
  }

  /** Points the tool at Switchyard; the backup taken first. */
  apply(tool: ToolSetup, connection: Connection): Backup {
    const before = readContents(this.home, tool);
    const backup = this.backups.create(tool.id, this.paths(tool), "before setting up Switchyard");
    writeContents(this.home, tool, before, tool.apply(before, connection));
    return backup;
  }

  /** Takes Switchyard's entries out again; undefined when there were none. */
  reset(tool: ToolSetup): Backup | undefined {
    const before = readContents(this.home, tool);
    const after = tool.reset(before);
    if (!after) return undefined;
    const backup = this.backups.create(tool.id, this.paths(tool), "before removing Switchyard");
    writeContents(this.home, tool, before, after);
    return backup;
  }

  guide(tool: ToolSetup, connection: Connection): GuideFile[] {
    const fresh = tool.apply(
      tool.files.map(() => ({})),
      connection,
    );
    return tool.files.map((file, index) => ({
      path: `~/${file.path}`,
      format: file.format,
      content: renderConfig(file.format, fresh[index] ?? {}),
    }));
  }
}
