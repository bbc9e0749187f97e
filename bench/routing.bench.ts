/**
 * The cost of a routing decision with 100 connections and 50 combos configured: resolving a
 * model string into its plan, asking whether each target is unable to carry the request
 * (catalogue capabilities, context window for a 2,000-byte prompt) and checking its health, as
 * the gateway does before the first attempt. No network. Reports µs per decision for a
 * provider-prefixed model, a bare model id and a combo (3 steps, round-robin).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContext } from "../src/context.ts";
import { createLogger } from "../src/ops/log.ts";
import { targetKey } from "../src/routing/attempt.ts";
import { type Needs, someLackCapabilities, unfitReason } from "../src/routing/capabilities.ts";
import { openStore } from "../src/store/db.ts";

const CONNECTIONS = 100;
const COMBOS = 50;
const ITERATIONS = 50_000;
const PROMPT_BYTES = 2_000;
const PROVIDERS = [
  "openai",
  "anthropic",
  "gemini",
  "groq",
  "deepseek",
  "mistral",
  "openrouter",
  "together",
  "xai",
  "fireworks",
];

const dir = mkdtempSync(join(tmpdir(), "switchyard-routing-bench-"));
try {
  const context = createContext(openStore(dir), createLogger("silent"));
  for (let i = 0; i < CONNECTIONS; i++) {
    const provider = PROVIDERS[i % PROVIDERS.length]!;
    context.providers.createConnection({
      id: `conn-${i}`,
      provider,
      name: `${provider} ${i}`,
      apiKeyEncrypted: context.secrets.seal(`key-${i}`),
      priority: i,
      defaultModel: `shared-${i % 5}`,
    });
  }
  for (let i = 0; i < COMBOS; i++) {
    context.combos.create({
      id: `combo-${i}`,
      name: `combo-${i}`,
      strategy: "round-robin",
      steps: [0, 1, 2].map((step) => ({
        model: `${PROVIDERS[(i + step) % PROVIDERS.length]}/model-${i}`,
        weight: 1,
        priority: step,
      })),
    });
  }
  const decide = (model: string) => {
    const { targets } = context.resolver.resolve(model);
    const needs: Needs = {
      ...(someLackCapabilities(targets) ? { vision: true } : {}),
      prompt: { bytes: PROMPT_BYTES, tokens: async () => PROMPT_BYTES / 4 },
    };
    let available = 0;
    for (const target of targets)
      if (unfitReason(target, needs) === undefined && context.health.check(targetKey(target)) === undefined)
        available++;
    return available;
  };
  for (const [label, model] of [
    ["provider-prefixed (openai/gpt-4o, 10 accounts)", "openai/gpt-4o"],
    ["bare id served by 20 connections", "shared-3"],
    ["combo of 3 steps (round-robin, 10 accounts each)", "combo-17"],
  ] as const) {
    for (let i = 0; i < 5000; i++) decide(model);
    const started = performance.now();
    let targets = 0;
    for (let i = 0; i < ITERATIONS; i++) targets += decide(model);
    const microseconds = ((performance.now() - started) * 1000) / ITERATIONS;
    console.log(
      `${label.padEnd(52)} ${microseconds.toFixed(2)} µs per decision (${targets / ITERATIONS} targets)`,
    );
  }
  context.store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
