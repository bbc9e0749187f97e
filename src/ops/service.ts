/**
 * `switchyard service install|uninstall`: a systemd unit for this executable. The system unit
 * runs under a dynamic user with its data in systemd's StateDirectory; the user unit runs as
 * the invoking user with the configured data dir.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ServeConfig } from "../config.ts";

export const UNIT_NAME = "switchyard.service";

/** Concurrent upstream requests Bun's fetch may run (its default, 256, queues the rest). */
export const MAX_HTTP_REQUESTS = 4096;

export function defaultUnitDir(user: boolean): string {
  return user ? join(homedir(), ".config", "systemd", "user") : "/etc/systemd/system";
}

/** The command line that starts this program: the compiled binary, or bun with the entry script. */
export function execStart(): string {
  const compiled = Bun.main.startsWith("/$bunfs/");
  return compiled ? process.execPath : `${process.execPath} ${Bun.main}`;
}

export function unitFile(config: ServeConfig, user: boolean, command = execStart()): string {
  const listen = `--host ${config.host} --port ${config.port}`;
  const common = [
    "[Unit]",
    "Description=Switchyard AI API router",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    "Restart=on-failure",
    "RestartSec=2",
    "TimeoutStopSec=20",
    "KillSignal=SIGTERM",
    "Environment=LOG_LEVEL=info",
    "# Bun's fetch runs at most 256 requests at once unless told otherwise before start.",
    `Environment=BUN_CONFIG_MAX_HTTP_REQUESTS=${MAX_HTTP_REQUESTS}`,
  ];
  const hardening = [
    "NoNewPrivileges=yes",
    "PrivateTmp=yes",
    "ProtectSystem=strict",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "RestrictSUIDSGID=yes",
    "RestrictRealtime=yes",
    "RestrictNamespaces=yes",
    "LockPersonality=yes",
    "SystemCallArchitectures=native",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK",
    "# Bun's JIT writes executable memory.",
    "MemoryDenyWriteExecute=no",
  ];
  const service = user
    ? [
        `ExecStart=${command} serve ${listen} --data-dir ${config.dataDir}`,
        `ReadWritePaths=${config.dataDir}`,
      ]
    : [
        "DynamicUser=yes",
        "StateDirectory=switchyard",
        "StateDirectoryMode=0700",
        `ExecStart=${command} serve ${listen} --data-dir /var/lib/switchyard`,
        "PrivateDevices=yes",
        "ProtectHome=read-only",
        "UMask=0077",
      ];
  const install = ["", "[Install]", `WantedBy=${user ? "default.target" : "multi-user.target"}`, ""];
  return [...common, ...service, ...hardening, ...install].join("\n");
}

export function installService(config: ServeConfig, user: boolean, unitDir = defaultUnitDir(user)): string {
  mkdirSync(unitDir, { recursive: true });
  if (user) mkdirSync(config.dataDir, { recursive: true });
  const path = join(unitDir, UNIT_NAME);
  writeFileSync(path, unitFile(config, user));
  const systemctl = user ? "systemctl --user" : "sudo systemctl";
  const logs = user ? "journalctl --user -u switchyard" : "sudo journalctl -u switchyard";
  return [
    `Wrote ${path}`,
    "Now run:",
    `  ${systemctl} daemon-reload`,
    `  ${systemctl} enable --now switchyard`,
    `The first start prints the admin password once; read it with: ${logs} | grep -i password`,
    user ? "To keep it running after you log out: loginctl enable-linger $USER" : "",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

export function uninstallService(user: boolean, unitDir = defaultUnitDir(user)): string {
  const path = join(unitDir, UNIT_NAME);
  if (!existsSync(path)) return `No unit at ${path}; nothing to do.`;
  const systemctl = user ? "systemctl --user" : "sudo systemctl";
  rmSync(path);
  return [
    `Removed ${path}`,
    "If it was running, also run:",
    `  ${systemctl} disable --now switchyard`,
    `  ${systemctl} daemon-reload`,
  ].join("\n");
}
