import { Database } from "bun:sqlite";
import { afterAll, describe, expect, it } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { freePort, MAIN, runCli, spawnServer } from "./helpers/cli.ts";
import { tempDir } from "./helpers/server.ts";

const dirs: string[] = [];
function freshDir(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("the command line", () => {
  it("lists every command and option in --help", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const word of [
      "service install",
      "service uninstall",
      "password reset",
      "keys create",
      "--port",
      "--host",
      "--data-dir",
      "--version",
      "INITIAL_PASSWORD",
      "LOG_LEVEL",
    ]) {
      expect(result.stdout).toContain(word);
    }
  });

  it("prints the version", async () => {
    const result = await runCli(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^switchyard \d+\.\d+\.\d+\n$/);
  });

  it("prints usage on stderr and exits 2 for an unknown flag", async () => {
    const result = await runCli(["--frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("frobnicate");
    expect(result.stderr).toContain("Usage:");
    expect(result.stdout).toBe("");
  });

  it("exits 1 with one clear line when the data dir is not writable", async () => {
    // Tests run as root, which ignores permission bits; a path below a regular file is unwritable for everyone.
    const result = await runCli(["--data-dir", join(MAIN, "data"), "--port", String(freePort())]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("cannot write to the data dir");
  });

  it("exits 1 naming the port when the port is in use", async () => {
    const blocker = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("busy") });
    try {
      const result = await runCli(
        ["--port", String(blocker.port), "--host", "127.0.0.1", "--data-dir", freshDir()],
        {
          INITIAL_PASSWORD: "pw-for-test",
        },
      );
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`switchyard: port ${blocker.port} is already in use on 127.0.0.1`);
    } finally {
      blocker.stop(true);
    }
  });

  it("creates an API key offline and prints it once", async () => {
    const dataDir = freshDir();
    const result = await runCli(["keys", "create", "--name", "ci", "--admin", "--data-dir", dataDir]);
    expect(result.code).toBe(0);
    const secret = result.stdout.match(/sk-sy-\S+/)?.[0];
    expect(secret).toBeDefined();
    const db = new Database(join(dataDir, "switchyard.sqlite"), { readonly: true });
    const row = db
      .query<{ label: string; is_admin: number; key_hash: string }, []>("SELECT * FROM api_keys")
      .get();
    db.close();
    expect(row).toMatchObject({ label: "ci", is_admin: 1 });
    expect(row?.key_hash).not.toContain(secret!.slice(6));
  });

  it("prints a generated admin password once on first start and never again", async () => {
    const dataDir = freshDir();
    const port = freePort();
    const command = [
      process.execPath,
      MAIN,
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--data-dir",
      dataDir,
    ];
    let firstOutput: string;
    {
      await using server = await spawnServer(command, port, { LOG_LEVEL: "info" });
      server.child.kill("SIGTERM");
      await server.child.exited;
      firstOutput = await new Response(server.child.stdout).text();
    }
    const password = firstOutput.match(/admin password[^:]*: (\S+)/)?.[1];
    expect(password).toBeDefined();
    expect(firstOutput.split(password!)).toHaveLength(2);
    {
      await using server = await spawnServer(command, port, { LOG_LEVEL: "debug" });
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ password }),
      });
      expect(login.status).toBe(200);
      server.child.kill("SIGTERM");
      await server.child.exited;
      expect(await new Response(server.child.stdout).text()).not.toContain(password!);
    }
  });

  it("resets the password offline, and a running server accepts the new one", async () => {
    const dataDir = freshDir();
    const port = freePort();
    await using server = await spawnServer(
      [process.execPath, MAIN, "--port", String(port), "--host", "127.0.0.1", "--data-dir", dataDir],
      port,
      { INITIAL_PASSWORD: "old-password" },
    );
    const reset = await runCli(["password", "reset", "--data-dir", dataDir]);
    expect(reset.code).toBe(0);
    const password = reset.stdout.match(/New admin password: (\S+)/)?.[1];
    const login = (pw: string) =>
      fetch(`${server.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ password: pw }),
      });
    expect((await login("old-password")).status).toBe(401);
    expect((await login(password!)).status).toBe(200);
  });

  it("drains on SIGTERM, writes what it kept in memory and exits 0", async () => {
    const dataDir = freshDir();
    const created = await runCli(["keys", "create", "--name", "script", "--admin", "--data-dir", dataDir]);
    const secret = created.stdout.match(/sk-sy-\S+/)![0];
    const port = freePort();
    await using server = await spawnServer(
      [process.execPath, MAIN, "--port", String(port), "--host", "127.0.0.1", "--data-dir", dataDir],
      port,
      { INITIAL_PASSWORD: "pw" },
    );
    const listed = await fetch(`${server.url}/api/keys`, { headers: { authorization: `Bearer ${secret}` } });
    expect(listed.status).toBe(200);
    server.child.kill("SIGTERM");
    expect(await server.child.exited).toBe(0);
    const db = new Database(join(dataDir, "switchyard.sqlite"), { readonly: true });
    const row = db.query<{ last_used_at: number | null }, []>("SELECT last_used_at FROM api_keys").get();
    db.close();
    expect(row?.last_used_at).toBeGreaterThan(0);
  });
});

describe("switchyard service install", () => {
  it("writes a unit with Restart=on-failure, a state directory and hardening Bun tolerates", async () => {
    const unitDir = freshDir();
    const result = await runCli(["service", "install", "--unit-dir", unitDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("systemctl daemon-reload");
    expect(result.stdout).toContain("systemctl enable --now switchyard");
    const unit = readFileSync(join(unitDir, "switchyard.service"), "utf8");
    for (const line of [
      "Restart=on-failure",
      "StateDirectory=switchyard",
      "DynamicUser=yes",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "MemoryDenyWriteExecute=no",
      "WantedBy=multi-user.target",
    ]) {
      expect(unit).toContain(line);
    }
    expect(unit).toContain(`ExecStart=${process.execPath} ${MAIN} serve`);
    expect(unit).toContain("--data-dir /var/lib/switchyard");
  });

  it("writes a user unit that keeps the data dir given", async () => {
    const unitDir = freshDir();
    const dataDir = freshDir();
    const result = await runCli([
      "service",
      "install",
      "--user",
      "--unit-dir",
      unitDir,
      "--data-dir",
      dataDir,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("systemctl --user");
    const unit = readFileSync(join(unitDir, "switchyard.service"), "utf8");
    expect(unit).toContain(`--data-dir ${dataDir}`);
    expect(unit).toContain("WantedBy=default.target");
    expect(unit).not.toContain("DynamicUser");
  });

  it("writes a unit that systemd-analyze verify accepts, where systemd is installed", async () => {
    if (!Bun.which("systemd-analyze")) {
      console.info("systemd-analyze not installed here; verification skipped");
      return;
    }
    const unitDir = freshDir();
    await runCli(["service", "install", "--unit-dir", unitDir]);
    const verify = Bun.spawnSync(["systemd-analyze", "verify", join(unitDir, "switchyard.service")]);
    expect(verify.stderr.toString()).toBe("");
    expect(verify.exitCode).toBe(0);
  });

  it("removes the unit on uninstall", async () => {
    const unitDir = freshDir();
    await runCli(["service", "install", "--unit-dir", unitDir]);
    const result = await runCli(["service", "uninstall", "--unit-dir", unitDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Removed");
    expect(Bun.file(join(unitDir, "switchyard.service")).size).toBe(0);
  });
});
