/**
 * `/api/evals`: suites of prompts whose answers must pass checks (contains, regex, valid JSON,
 * JSON Schema), run against models or combos through the gateway like any client call. Every
 * run is stored with its results, so that models and runs can be compared.
 *
 * JSON Schema checks use `@cfworker/json-schema`: no dependencies, drafts 4 to 2020-12, and it
 * interprets the schema instead of compiling it to code (Ajv's `new Function`), which suits
 * schemas that arrive through the API.
 */
import { Validator } from "@cfworker/json-schema";
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { ResolveError } from "../routing/resolve.ts";
import type { EvalRunSummary } from "../store/evals.ts";
import type { EvalCase, EvalCheck, EvalResult, EvalRunRow, EvalSuiteRow } from "../store/schema.ts";
import type { GatewayCaller } from "./console-call.ts";
import { type FieldProblem, managementError } from "./errors.ts";
import { asObject } from "./translator.ts";

/** An answer is kept up to this many characters in the stored results. */
const MAX_OUTPUT_CHARS = 4000;
/** Calls in flight at once during a run. */
const RUN_CONCURRENCY = 4;

const checkSchema = t.Object({
  type: t.Union([t.Literal("contains"), t.Literal("regex"), t.Literal("json"), t.Literal("json-schema")]),
  value: t.Optional(t.String({ minLength: 1 })),
  schema: t.Optional(t.Unknown()),
  ignoreCase: t.Optional(t.Boolean()),
});

const caseSchema = t.Object({
  name: t.String({ minLength: 1, maxLength: 200 }),
  prompt: t.String({ minLength: 1 }),
  system: t.Optional(t.String()),
  checks: t.Array(checkSchema, { minItems: 1 }),
});

const evalBody = t.Object({
  name: t.Optional(t.String({ minLength: 1, maxLength: 200, pattern: "\\S" })),
  description: t.Optional(t.String({ maxLength: 2000 })),
  cases: t.Optional(t.Array(caseSchema, { minItems: 1, maxItems: 200 })),
  suiteId: t.Optional(t.String({ minLength: 1 })),
  models: t.Optional(t.Array(t.String({ minLength: 1 }), { minItems: 1, maxItems: 20 })),
});

type EvalBody = (typeof evalBody)["static"];

function checkProblems(cases: EvalBody["cases"] & {}): FieldProblem[] {
  return cases.flatMap((evalCase, caseIndex) =>
    evalCase.checks.flatMap((check, checkIndex): FieldProblem[] => {
      const field = `cases[${caseIndex}].checks[${checkIndex}]`;
      if ((check.type === "contains" || check.type === "regex") && check.value === undefined) {
        return [{ field: `${field}.value`, message: `a ${check.type} check needs a value` }];
      }
      if (check.type === "regex") {
        try {
          new RegExp(check.value!);
        } catch (error) {
          return [
            { field: `${field}.value`, message: `not a regular expression: ${(error as Error).message}` },
          ];
        }
      }
      if (check.type === "json-schema" && asObject(check.schema) === undefined) {
        return [{ field: `${field}.schema`, message: "a json-schema check needs a schema object" }];
      }
      return [];
    }),
  );
}

/** The JSON in an answer: the whole text, or the first fenced code block. */
function parseJson(output: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const fenced = output.match(/```(?:json)?\s*\n([\s\S]*?)```/)?.[1];
  for (const text of [output.trim(), fenced?.trim()]) {
    if (text === undefined) continue;
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {}
  }
  return { ok: false, message: "the answer is not valid JSON" };
}

function runCheck(check: EvalCheck, output: string): { passed: boolean; message: string | null } {
  switch (check.type) {
    case "contains": {
      const found = check.ignoreCase
        ? output.toLowerCase().includes(check.value!.toLowerCase())
        : output.includes(check.value!);
      return found
        ? { passed: true, message: null }
        : { passed: false, message: `does not contain '${check.value}'` };
    }
    case "regex":
      return new RegExp(check.value!, check.ignoreCase ? "i" : "").test(output)
        ? { passed: true, message: null }
        : { passed: false, message: `does not match /${check.value}/` };
    case "json": {
      const parsed = parseJson(output);
      return parsed.ok ? { passed: true, message: null } : { passed: false, message: parsed.message };
    }
    case "json-schema": {
      const parsed = parseJson(output);
      if (!parsed.ok) return { passed: false, message: parsed.message };
      const result = new Validator(check.schema as Record<string, unknown>, "2020-12", false).validate(
        parsed.value,
      );
      return result.valid
        ? { passed: true, message: null }
        : {
            passed: false,
            message: result.errors.map((error) => `${error.instanceLocation}: ${error.error}`).join("; "),
          };
    }
  }
}

/** The answer's text, from an OpenAI chat completion. */
function answerText(body: unknown): string | null {
  const content = (body as { choices?: Array<{ message?: { content?: unknown } }> } | null)?.choices?.[0]
    ?.message?.content;
  return typeof content === "string" ? content : null;
}

async function runCase(callGateway: GatewayCaller, model: string, evalCase: EvalCase): Promise<EvalResult> {
  const startedAt = performance.now();
  const messages = [
    ...(evalCase.system === undefined ? [] : [{ role: "system", content: evalCase.system }]),
    { role: "user", content: evalCase.prompt },
  ];
  const response = await callGateway({ dialect: "openai-chat", model, body: { messages } });
  const body: unknown = await response.json().catch(() => null);
  const latencyMs = Math.round(performance.now() - startedAt);
  const output = response.ok ? answerText(body) : null;
  const error = response.ok
    ? output === null
      ? "the answer holds no text"
      : null
    : ((body as { error?: { message?: string } } | null)?.error?.message ?? `status ${response.status}`);
  const checks = evalCase.checks.map((check) => ({
    type: check.type,
    ...(output === null ? { passed: false, message: error } : runCheck(check, output)),
  }));
  return {
    model,
    case: evalCase.name,
    status: response.status,
    latencyMs,
    output: output?.slice(0, MAX_OUTPUT_CHARS) ?? null,
    error,
    checks,
    passed: checks.every((check) => check.passed),
  };
}

/** Every (model, case) pair, a few at a time, in the order they were asked for. */
async function runSuite(
  context: AppContext,
  callGateway: GatewayCaller,
  suite: EvalSuiteRow,
  models: string[],
): Promise<EvalRunRow> {
  const startedAt = new Date();
  const pairs = models.flatMap((model) => suite.cases.map((evalCase) => ({ model, evalCase })));
  const results: EvalResult[] = new Array(pairs.length);
  let next = 0;
  const worker = async () => {
    while (next < pairs.length) {
      const index = next++;
      const { model, evalCase } = pairs[index]!;
      results[index] = await runCase(callGateway, model, evalCase);
    }
  };
  await Promise.all(Array.from({ length: Math.min(RUN_CONCURRENCY, pairs.length) }, worker));
  const passed = results.filter((result) => result.passed).length;
  return context.evals.addRun({
    id: crypto.randomUUID(),
    suiteId: suite.id,
    startedAt,
    finishedAt: new Date(),
    models,
    results,
    passed,
    failed: results.length - passed,
  });
}

function publicSuite(row: EvalSuiteRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    cases: row.cases,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function runSummary(run: EvalRunSummary) {
  return {
    id: run.id,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    models: run.models,
    passed: run.passed,
    failed: run.failed,
  };
}

/** Per model, over the given runs: how many of its answers passed and how fast they came. */
function comparison(runs: EvalRunRow[]) {
  const byModel = new Map<string, { runs: Set<string>; passed: number; total: number; latencyMs: number }>();
  for (const run of runs) {
    for (const result of run.results) {
      const entry = byModel.get(result.model) ?? { runs: new Set(), passed: 0, total: 0, latencyMs: 0 };
      entry.runs.add(run.id);
      entry.total++;
      entry.latencyMs += result.latencyMs;
      if (result.passed) entry.passed++;
      byModel.set(result.model, entry);
    }
  }
  return [...byModel].map(([model, entry]) => ({
    model,
    runs: entry.runs.size,
    passed: entry.passed,
    total: entry.total,
    passRate: entry.passed / entry.total,
    avgLatencyMs: Math.round(entry.latencyMs / entry.total),
  }));
}

export function evalRoutes(context: AppContext, callGateway: GatewayCaller) {
  const { evals } = context;

  function modelProblems(models: string[]): FieldProblem[] {
    return models.flatMap((model, index) => {
      const field = `models[${index}]`;
      try {
        return context.resolver.resolve(model).targets.length > 0
          ? []
          : [{ field, message: `'${model}' is not served by any active connection` }];
      } catch (error) {
        if (!(error instanceof ResolveError)) throw error;
        return [{ field, message: error.message }];
      }
    });
  }

  function problemsOf(body: EvalBody): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if (body.cases === undefined && body.suiteId === undefined) {
      problems.push({
        field: "cases",
        message: "give `name` and `cases` to create a suite, or `suiteId` to run one",
      });
    }
    if (body.cases !== undefined) {
      if (body.suiteId !== undefined)
        problems.push({ field: "suiteId", message: "give either `cases` or `suiteId`" });
      if (body.name === undefined) problems.push({ field: "name", message: "a new suite needs a name" });
      else if (evals.findSuiteByName(body.name.trim()))
        problems.push({ field: "name", message: `a suite named '${body.name.trim()}' exists` });
      problems.push(...checkProblems(body.cases));
    }
    if (body.suiteId !== undefined && body.models === undefined) {
      problems.push({
        field: "models",
        message: "running a suite needs the models (or combos) to run it on",
      });
    }
    if (body.models !== undefined) problems.push(...modelProblems(body.models));
    return problems;
  }

  return new Elysia()
    .get("/api/evals", () => {
      const latest = evals.latestRuns();
      return {
        suites: evals.listSuites().map((suite) => {
          const last = latest.get(suite.id);
          return { ...publicSuite(suite), lastRun: last === undefined ? null : runSummary(last) };
        }),
      };
    })
    .post(
      "/api/evals",
      async ({ body, status }) => {
        const problems = problemsOf(body);
        if (problems.length > 0) {
          return status(
            400,
            managementError(problems.map((problem) => problem.message).join("; "), problems),
          );
        }
        const existing = body.suiteId === undefined ? undefined : evals.getSuite(body.suiteId);
        if (body.suiteId !== undefined && existing === undefined) {
          return status(404, managementError(`No eval suite with id ${body.suiteId}`));
        }
        const suite =
          existing ??
          evals.createSuite({
            id: crypto.randomUUID(),
            name: body.name!.trim(),
            description: body.description ?? null,
            cases: body.cases! as EvalCase[],
          });
        const run =
          body.models === undefined ? undefined : await runSuite(context, callGateway, suite, body.models);
        return status(existing === undefined ? 201 : 200, {
          suite: publicSuite(suite),
          ...(run !== undefined && { run: { ...runSummary(run), results: run.results } }),
        });
      },
      { body: evalBody },
    )
    .get("/api/evals/:suiteId", ({ params, status }) => {
      const suite = evals.getSuite(params.suiteId);
      if (suite === undefined) return status(404, managementError(`No eval suite with id ${params.suiteId}`));
      const runs = evals.runsOf(suite.id);
      return {
        suite: publicSuite(suite),
        runs: runs.map((run) => ({ ...runSummary(run), results: run.results })),
        comparison: comparison(runs),
      };
    });
}
