/**
 * The coding CLIs people point at Switchyard, run for real as child processes against the
 * running gateway: Claude Code (an Anthropic Messages client) reaching an OpenAI chat upstream,
 * and Codex (a Responses client) reaching an Anthropic upstream. Both run offline: a temp home,
 * their telemetry, update checks and other side traffic turned off, and an egress trap as their
 * proxy, so anything they try to reach beyond loopback is recorded (and refused) instead of sent.
 * A recording proxy in front of the gateway says exactly which request got which answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { codecFor, type Dialect } from "../../src/wire/index.ts";
import { type EgressTrap, startEgressTrap } from "../helpers/egress-trap.ts";
import { type GatewaySetup, MODEL_FOR, startGateway } from "../helpers/gateway-setup.ts";
import type { Received } from "../helpers/mock-upstream.ts";
import { failedExchanges, type RecordingProxy, startRecordingProxy } from "../helpers/recording-proxy.ts";
import { tempDir } from "../helpers/server.ts";
import { killStragglers, runTimed, type TimedResult } from "../helpers/timed-process.ts";
import { readFixture } from "../wire/fixture-files.ts";

const NODE_MODULES = join(import.meta.dir, "..", "..", "node_modules");
const CLI_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = CLI_TIMEOUT_MS + 15_000;
const PROMPT = "Say hello in French";

/** Claude Code's native binary from its platform package, else the npm bin (its postinstall copies the same binary there). */
function claudeCodeBinary(): string {
  const platform = join(
    NODE_MODULES,
    "@anthropic-ai",
    `claude-code-${process.platform}-${process.arch}`,
    "claude",
  );
  return existsSync(platform) ? platform : join(NODE_MODULES, ".bin", "claude");
}

/** Codex's native binary from its platform package (the npm bin is a Node launcher for it). */
function codexBinary(): string {
  const triple = `${process.arch === "arm64" ? "aarch64" : "x86_64"}-unknown-linux-musl`;
  const native = join(
    NODE_MODULES,
    "@openai",
    `codex-linux-${process.arch}`,
    "vendor",
    triple,
    "bin",
    "codex",
  );
  return existsSync(native) ? native : join(NODE_MODULES, ".bin", "codex");
}

/** The text of the upstream's streamed fixture answer, read with our decoder. */
function streamedText(dialect: Dialect): string {
  const decoder = codecFor(dialect).decodeStream();
  const events = [...decoder.push(readFixture(dialect, "stream-text.txt")), ...decoder.end()];
  return events.map((event) => (event.type === "text_delta" ? event.text : "")).join("");
}

let setup: GatewaySetup;
let proxy: RecordingProxy;
let trap: EgressTrap;
/** The home whose tools the server sets up through /api/cli-tools (one tool per test, each its own files). */
let toolsHome: string;
const dirs: string[] = [];

beforeAll(async () => {
  toolsHome = tempDir("switchyard-cli-tools-home-");
  dirs.push(toolsHome);
  setup = await startGateway({ toolsHome });
  // The CLIs send their tools on every turn; a tool call for a tool they lack would loop.
  setup.upstream.textAnswersOnly = true;
  proxy = startRecordingProxy(setup.server.url);
  trap = await startEgressTrap();
});

afterAll(async () => {
  killStragglers();
  await trap[Symbol.asyncDispose]();
  await proxy[Symbol.asyncDispose]();
  await setup[Symbol.asyncDispose]();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder with an empty home and an empty working dir. */
function sandbox(): { home: string; work: string } {
  const root = tempDir("switchyard-cli-");
  dirs.push(root);
  const home = join(root, "home");
  const work = join(root, "work");
  mkdirSync(home);
  mkdirSync(work);
  return { home, work };
}

/** What one CLI run did: its result, and the traffic it caused at the gateway and upstream. */
interface Run {
  result: TimedResult;
  exchanges: RecordingProxy["exchanges"];
  failures: string[];
  /** What the mock upstream received during the run. */
  upstream: Received[];
  egress: string[];
}

/** Each distinct upstream call of a run, as "dialect path". */
function upstreamCalls(run: Run): Set<string> {
  return new Set(run.upstream.map((received) => `${received.dialect} ${received.path}`));
}

/** Whether every upstream request carried the CLI's tools, translated. */
function everyCarriedTools(run: Run): boolean {
  return run.upstream.every(
    (received) => Array.isArray(received.body.tools) && received.body.tools.length > 0,
  );
}

async function runCli(command: string, args: string[], env: Record<string, string>, cwd: string) {
  const fromExchange = proxy.exchanges.length;
  const fromUpstream = setup.upstream.received.length;
  const fromEgress = trap.attempts.length;
  const result = await runTimed(command, args, {
    cwd,
    timeoutMs: CLI_TIMEOUT_MS,
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8", ...trap.proxyEnv, ...env },
  });
  const exchanges = proxy.exchanges.slice(fromExchange);
  const run: Run = {
    result,
    exchanges,
    failures: failedExchanges(exchanges),
    upstream: setup.upstream.received.slice(fromUpstream),
    egress: trap.attempts.slice(fromEgress),
  };
  if (result.timedOut || result.code !== 0) {
    throw new Error(
      `${command} ${result.timedOut ? `timed out after ${CLI_TIMEOUT_MS} ms` : `exited ${result.code} (${result.signal})`}\n` +
        `gateway answers: ${JSON.stringify(exchanges, null, 1)}\n` +
        `egress attempts: ${JSON.stringify(run.egress)}\n` +
        `stdout: ${result.stdout.slice(-4000)}\nstderr: ${result.stderr.slice(-4000)}`,
    );
  }
  return run;
}

/** Claude Code's documented switches for everything beyond the API calls themselves. */
const CLAUDE_OFFLINE = {
  DISABLE_TELEMETRY: "1",
  DISABLE_AUTOUPDATER: "1",
  DISABLE_ERROR_REPORTING: "1",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
};

function claudeEnv(home: string, auth: Record<string, string>): Record<string, string> {
  return {
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, ".claude"),
    ANTHROPIC_BASE_URL: proxy.url,
    ...CLAUDE_OFFLINE,
    ...auth,
  };
}

describe("Claude Code through the gateway", () => {
  const answer = () => streamedText("openai-chat");

  it(
    "answers a print-mode prompt from an OpenAI chat upstream with the key in ANTHROPIC_API_KEY",
    async () => {
      const { home, work } = sandbox();
      const run = await runCli(
        claudeCodeBinary(),
        ["-p", PROMPT, "--model", MODEL_FOR["openai-chat"]],
        claudeEnv(home, { ANTHROPIC_API_KEY: setup.key }),
        work,
      );
      expect(run.result.stdout).toContain(answer());
      expect(run.failures).toEqual([]);
      expect(
        run.exchanges.map((exchange) => `${exchange.method} ${new URL(exchange.path, proxy.url).pathname}`),
      ).toContain("POST /v1/messages");
      expect(run.upstream.length).toBeGreaterThan(0);
      expect(upstreamCalls(run)).toEqual(new Set(["openai-chat /v1/chat/completions"]));
      expect(everyCarriedTools(run)).toBe(true);
      expect(run.egress).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "answers a print-mode prompt from an OpenAI chat upstream with the key in ANTHROPIC_AUTH_TOKEN and the model in ANTHROPIC_MODEL",
    async () => {
      const { home, work } = sandbox();
      const run = await runCli(
        claudeCodeBinary(),
        ["-p", PROMPT],
        claudeEnv(home, { ANTHROPIC_AUTH_TOKEN: setup.key, ANTHROPIC_MODEL: MODEL_FOR["openai-chat"] }),
        work,
      );
      expect(run.result.stdout).toContain(answer());
      expect(run.failures).toEqual([]);
      expect(run.upstream.length).toBeGreaterThan(0);
      expect(upstreamCalls(run)).toEqual(new Set(["openai-chat /v1/chat/completions"]));
      expect(everyCarriedTools(run)).toBe(true);
      expect(run.egress).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

/** Sets a tool up through the management API, as the dashboard's user would. */
async function setUpThroughApi(tool: string, body: Record<string, unknown>): Promise<void> {
  const response = await setup.server.call(`/api/cli-tools/${tool}-settings`, {
    method: "POST",
    cookie: setup.cookie,
    json: body,
  });
  if (response.status !== 200)
    throw new Error(`${tool}-settings: ${response.status} ${await response.text()}`);
}

describe("Claude Code set up by /api/cli-tools/claude-settings", () => {
  it(
    "answers a print-mode prompt with nothing but the settings file Switchyard wrote",
    async () => {
      const work = join(toolsHome, "claude-work");
      mkdirSync(work);
      await setUpThroughApi("claude", { baseUrl: proxy.url, model: MODEL_FOR["openai-chat"] });
      const run = await runCli(
        claudeCodeBinary(),
        ["-p", PROMPT],
        { HOME: toolsHome, CLAUDE_CONFIG_DIR: join(toolsHome, ".claude"), ...CLAUDE_OFFLINE },
        work,
      );
      expect(run.result.stdout).toContain(streamedText("openai-chat"));
      expect(run.failures).toEqual([]);
      expect(upstreamCalls(run)).toEqual(new Set(["openai-chat /v1/chat/completions"]));
      expect(run.egress).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

/**
 * A Codex home whose config.toml sends Codex to the gateway as a custom Responses provider, with
 * analytics, feedback, update checks and the curated-plugin sync (github.com, chatgpt.com) off.
 * `defaultTools` keeps the tools Codex sends by default; otherwise its multi-agent tool namespace
 * and hosted web search are off, leaving plain function tools only.
 */
function codexHome(home: string, options: { defaultTools: boolean }): void {
  const config = [
    `model = ${JSON.stringify(MODEL_FOR.anthropic)}`,
    `model_provider = "switchyard"`,
    `approval_policy = "never"`,
    `sandbox_mode = "read-only"`,
    `check_for_update_on_startup = false`,
    ...(options.defaultTools ? [] : [`web_search = "disabled"`]),
    "",
    "[analytics]",
    "enabled = false",
    "",
    "[feedback]",
    "enabled = false",
    "",
    "[features]",
    "plugins = false",
    ...(options.defaultTools ? [] : ["multi_agent = false"]),
    "",
    "[model_providers.switchyard]",
    `name = "Switchyard"`,
    `base_url = ${JSON.stringify(`${proxy.url}/v1`)}`,
    `env_key = "SWITCHYARD_API_KEY"`,
    `wire_api = "responses"`,
    "request_max_retries = 0",
    "stream_max_retries = 0",
    "",
  ].join("\n");
  writeFileSync(join(home, "config.toml"), config);
}

/** A one-shot `codex exec` of the prompt in `work`, with the config checked strictly. */
function codexExec(work: string): string[] {
  return [
    "exec",
    "--strict-config",
    "--skip-git-repo-check",
    "--ephemeral",
    "--color",
    "never",
    "--cd",
    work,
    PROMPT,
  ];
}

async function runCodex(defaultTools: boolean): Promise<Run> {
  const { home, work } = sandbox();
  codexHome(home, { defaultTools });
  return runCli(
    codexBinary(),
    codexExec(work),
    { HOME: home, CODEX_HOME: home, SWITCHYARD_API_KEY: setup.key },
    work,
  );
}

describe("Codex set up by /api/cli-tools/codex-settings", () => {
  it(
    "answers an exec prompt through the provider Switchyard added to the user's own config.toml",
    async () => {
      const { home, work } = sandbox();
      codexHome(home, { defaultTools: false });
      const codexDir = join(toolsHome, ".codex");
      mkdirSync(codexDir, { recursive: true });
      // The user's own settings (offline switches, a provider of theirs) stay; Switchyard's provider is added.
      writeFileSync(join(codexDir, "config.toml"), readFileSync(join(home, "config.toml"), "utf8"));
      await setUpThroughApi("codex", { baseUrl: proxy.url, model: MODEL_FOR.anthropic });
      const run = await runCli(
        codexBinary(),
        codexExec(work),
        { HOME: toolsHome, CODEX_HOME: codexDir },
        work,
      );
      expect(run.result.stdout).toContain(streamedText("anthropic"));
      expect(run.failures).toEqual([]);
      expect(upstreamCalls(run)).toEqual(new Set(["anthropic /v1/messages"]));
      expect(run.egress).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("Codex through the gateway", () => {
  const answer = () => streamedText("anthropic");

  it(
    "answers an exec prompt from an Anthropic upstream through a custom Responses provider",
    async () => {
      const run = await runCodex(false);
      expect(run.result.stdout).toContain(answer());
      expect(run.failures).toEqual([]);
      expect(run.exchanges.map((exchange) => `${exchange.method} ${exchange.path}`)).toContain(
        "POST /v1/responses",
      );
      expect(run.upstream.length).toBeGreaterThan(0);
      expect(upstreamCalls(run)).toEqual(new Set(["anthropic /v1/messages"]));
      expect(everyCarriedTools(run)).toBe(true);
      expect(run.egress).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  // Codex's default tools include a `namespace` tool (multi_agent_v1), sent on as flat function
  // tools, and a hosted `web_search` tool, left out for an upstream without one.
  it(
    "answers an exec prompt from an Anthropic upstream with Codex's default tools",
    async () => {
      const run = await runCodex(true);
      expect(run.result.stdout).toContain(answer());
      expect(run.failures).toEqual([]);
      expect(upstreamCalls(run)).toEqual(new Set(["anthropic /v1/messages"]));
    },
    TEST_TIMEOUT_MS,
  );
});
