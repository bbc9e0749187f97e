import { describe, expect, it } from "bun:test";
import { homedir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PORT, parseCommand, UsageError } from "../src/config.ts";

describe("parseCommand", () => {
  it("serves by default on port 20128, all addresses, data in ~/.switchyard", () => {
    expect(parseCommand([], {})).toMatchObject({
      name: "serve",
      config: {
        port: DEFAULT_PORT,
        host: "0.0.0.0",
        dataDir: join(homedir(), ".switchyard"),
        logLevel: "info",
      },
    });
  });

  it("takes PORT, HOST, DATA_DIR, INITIAL_PASSWORD and LOG_LEVEL from the environment", () => {
    const command = parseCommand([], {
      PORT: "9000",
      HOST: "127.0.0.1",
      DATA_DIR: "/srv/sy",
      INITIAL_PASSWORD: "pw",
      LOG_LEVEL: "WARN",
    });
    expect(command).toMatchObject({
      name: "serve",
      config: { port: 9000, host: "127.0.0.1", dataDir: "/srv/sy", initialPassword: "pw", logLevel: "warn" },
    });
  });

  it("lets flags win over the environment", () => {
    const command = parseCommand(["serve", "--port", "1234", "--data-dir", "/x"], {
      PORT: "9000",
      DATA_DIR: "/y",
    });
    expect(command).toMatchObject({ config: { port: 1234, dataDir: "/x" } });
  });

  it("parses the subcommands", () => {
    expect(parseCommand(["service", "install", "--user"], {})).toMatchObject({
      name: "service-install",
      user: true,
    });
    expect(parseCommand(["service", "uninstall"], {})).toMatchObject({
      name: "service-uninstall",
      user: false,
    });
    expect(parseCommand(["password", "reset"], {})).toMatchObject({ name: "password-reset" });
    expect(parseCommand(["keys", "create", "--name", "ci", "--admin"], {})).toMatchObject({
      name: "keys-create",
      label: "ci",
      admin: true,
    });
    expect(parseCommand(["--version"], {})).toEqual({ name: "version" });
    expect(parseCommand(["--help"], {})).toEqual({ name: "help" });
  });

  it("rejects unknown flags, unknown commands, bad ports and misplaced flags", () => {
    expect(() => parseCommand(["--frobnicate"], {})).toThrow(UsageError);
    expect(() => parseCommand(["launch"], {})).toThrow(/unknown command 'launch'/);
    expect(() => parseCommand(["--port", "70000"], {})).toThrow(/invalid port/);
    expect(() => parseCommand([], { PORT: "abc" })).toThrow(/invalid port/);
    expect(() => parseCommand(["--admin"], {})).toThrow(/--admin does not go with/);
    expect(() => parseCommand(["keys", "create"], {})).toThrow(/--name/);
    expect(() => parseCommand([], { LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
  });
});
