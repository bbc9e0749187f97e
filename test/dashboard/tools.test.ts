import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { startServer, type TestServer, tempDir } from "../helpers/server.ts";

let server: TestServer;
let cookie: string;
let home: string;
beforeAll(async () => {
  home = tempDir("switchyard-dashboard-tools-");
  server = await startServer({ toolsHome: home });
  cookie = await server.login();
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
  rmSync(home, { recursive: true, force: true });
});

const codexConfig = () => parseToml(readFileSync(join(home, ".codex/config.toml"), "utf8"));

describe("the Tools page", () => {
  it("lists every tool with its config file and a hand-setup guide for the address in use", async () => {
    const text = await (await server.call("/dashboard/tools", { cookie })).text();
    for (const name of [
      "Claude Code",
      "Codex CLI",
      "Factory Droid",
      "Kilo Code CLI",
      "Cline CLI",
      "OpenClaw",
    ])
      expect(text).toContain(name);
    expect(text).toContain(join(home, ".codex/config.toml"));
    expect(text).toContain(`base_url = &quot;${server.url}/v1&quot;`);
    expect(text).toContain('aria-current="page"');
  });

  it("sets a tool up from its form, saying a key was made, and the file uses Switchyard", async () => {
    const response = await server.form("/dashboard/tools/codex", { model: "openai/gpt-6-luna" }, { cookie });
    const card = await response.text();
    expect(card).toContain("Codex CLI now uses Switchyard. A key");
    expect(card).toContain("uses Switchyard</span>");
    expect(codexConfig()).toMatchObject({ model: "openai/gpt-6-luna", model_provider: "switchyard" });
    // The backup the change took shows in the backups section, swapped out of band.
    expect(card).toContain('id="tool-backups" aria-labelledby="tool-backups-title" hx-swap-oob="true"');
    expect(card).toContain("before setting up Switchyard");
  });

  it("shows the problem next to the field when the model is missing", async () => {
    const card = await (await server.form("/dashboard/tools/droid", { model: "" }, { cookie })).text();
    expect(card).toContain("Factory Droid needs the model to use");
    expect(card).toContain('aria-invalid="true"');
  });

  it("takes Switchyard out again, and restores the file from a backup", async () => {
    const removed = await server.call("/dashboard/tools/codex", {
      method: "DELETE",
      cookie,
      headers: { "hx-request": "true" },
    });
    expect(await removed.text()).toContain("Switchyard is out of Codex CLI");
    expect(codexConfig()).toEqual({});
    const page = await (await server.call("/dashboard/tools", { cookie })).text();
    const latest = page.match(/hx-post="\/dashboard\/tools\/backups\/([\w-]+)\/restore"/)?.[1];
    expect(latest).toBeString();
    const restored = await server.form(`/dashboard/tools/backups/${latest}/restore`, {}, { cookie });
    expect(await restored.text()).toContain("The files are back as they were");
    expect(codexConfig()).toMatchObject({ model_provider: "switchyard" });
  });

  it("says so when a tool's config cannot be read, and leaves it alone", async () => {
    mkdirSync(join(home, ".claude"), { recursive: true });
    writeFileSync(join(home, ".claude/settings.json"), "{ broken");
    const page = await (await server.call("/dashboard/tools", { cookie })).text();
    expect(page).toContain("config unreadable");
    const card = await (await server.form("/dashboard/tools/claude", { model: "" }, { cookie })).text();
    expect(card).toContain("could not be read");
    expect(readFileSync(join(home, ".claude/settings.json"), "utf8")).toBe("{ broken");
  });
});
