/**
 * Whether a tool is installed where its user would run it: its command on the PATH or in the
 * folders its installers use, and the version it reports. A version is asked once per binary
 * (by path and modification time), with a time limit, in a minimal environment.
 */
import { statSync } from "node:fs";
import { join } from "node:path";

export interface Runtime {
  installed: boolean;
  /** Where the command was found. */
  command: string | null;
  version: string | null;
}

const VERSION_TIMEOUT_MS = 5_000;
/** Where installers put CLIs outside the system PATH (npm's user prefix, Kilo's and Droid's installers, pipx). */
const USER_BIN_DIRS = [".local/bin", ".npm-global/bin", ".kilo/bin", "bin"];

const versions = new Map<string, Promise<string | null>>();

export function searchPath(home: string): string {
  return [...(process.env.PATH ?? "").split(":"), ...USER_BIN_DIRS.map((dir) => join(home, dir))]
    .filter((dir) => dir !== "")
    .join(":");
}

export async function detect(commands: readonly string[], home: string): Promise<Runtime> {
  const path = searchPath(home);
  for (const name of commands) {
    const command = Bun.which(name, { PATH: path });
    if (command) return { installed: true, command, version: await versionOf(command, home, path) };
  }
  return { installed: false, command: null, version: null };
}

function versionOf(command: string, home: string, path: string): Promise<string | null> {
  const key = `${command}\n${statSync(command).mtimeMs}`;
  let version = versions.get(key);
  if (!version) {
    version = askVersion(command, home, path);
    versions.set(key, version);
  }
  return version;
}

async function askVersion(command: string, home: string, path: string): Promise<string | null> {
  try {
    const child = Bun.spawn([command, "--version"], {
      env: { PATH: path, HOME: home, NO_COLOR: "1" },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "ignore",
      timeout: VERSION_TIMEOUT_MS,
    });
    const [output, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    const line = output.trim().split("\n")[0]?.trim() ?? "";
    return code === 0 && line !== "" ? line.slice(0, 200) : null;
  } catch {
    return null;
  }
}
