/**
 * Codex CLI's default tools through translation: the functions of `namespace` tools as flat tools
 * every target accepts, their calls named by namespace and own name again for the Responses
 * client (whole, streamed, and read by the openai SDK), hosted web search left out and the other
 * hosted tools refused.
 */
import { describe, expect, it } from "bun:test";
import OpenAI from "openai";
import type { EncodeContext } from "../../src/wire/codec.ts";
import { WireError } from "../../src/wire/errors.ts";
import { CODECS } from "../../src/wire/index.ts";
import { DIALECTS, type Dialect, type IRResponse, type IRStreamEvent } from "../../src/wire/ir.ts";
import { openaiResponsesCodec as codec } from "../../src/wire/openai-responses/index.ts";
import { encodeEvents, jsonFixture } from "./fixture-files.ts";
import { JSON_TYPE, SSE, serveCanned } from "./sdk-server.ts";

const FIXTURE = "request-namespace-tools.json";
const codexBody = () => jsonFixture("openai-responses", FIXTURE) as Record<string, unknown>;
const codexRequest = () => codec.decodeRequest(codexBody());

/** The strictest of the targets' tool-name rules (Gemini's start, OpenAI's and Anthropic's length). */
const VALID_NAME = /^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$/;

const AGENT_TOOLS = ["close_agent", "resume_agent", "send_input", "spawn_agent", "wait_agent"];
const FLAT_NAMES = ["exec_command", ...AGENT_TOOLS.map((name) => `multi_agent_v1__${name}`)];

function wireError(run: () => unknown): WireError {
  try {
    run();
  } catch (error) {
    if (error instanceof WireError) return error;
    throw error;
  }
  throw new Error("expected a WireError");
}

/** The tool names an encoded request body declares, in the target dialect's own place for them. */
function declaredNames(dialect: Dialect, body: Record<string, unknown>): string[] {
  type Named = { name: string };
  switch (dialect) {
    case "gemini":
      return (body.tools as Array<{ functionDeclarations: Named[] }>).flatMap((tool) =>
        tool.functionDeclarations.map((declaration) => declaration.name),
      );
    case "openai-chat":
    case "ollama":
      return (body.tools as Array<{ function: Named }>).map((tool) => tool.function.name);
    default:
      return (body.tools as Named[]).map((tool) => tool.name);
  }
}

function namespaceTool(namespace: string, names: string[]): Record<string, unknown> {
  return {
    type: "namespace",
    name: namespace,
    description: `Tools of ${namespace}.`,
    tools: names.map((name) => ({ type: "function", name, parameters: { type: "object", properties: {} } })),
  };
}

interface WireEvent {
  type: string;
  item?: unknown;
  response?: { output: unknown[] };
  [key: string]: unknown;
}

const CALL_ARGUMENTS = '{"message":"List the TODOs."}';

/** An upstream's answer calling one plain and one namespaced function by the flat names it was given. */
const CALLS: IRResponse = {
  id: "msg_01",
  model: "claude-sonnet-4",
  created: 1741290958,
  parts: [
    { type: "tool_call", id: "call_exec", name: "exec_command", arguments: '{"cmd":"ls"}' },
    { type: "tool_call", id: "call_spawn", name: "multi_agent_v1__spawn_agent", arguments: CALL_ARGUMENTS },
  ],
  stopReason: "tool_use",
};

const CALL_EVENTS: IRStreamEvent[] = [
  { type: "start", id: "msg_01", model: "claude-sonnet-4", created: 1741290958 },
  { type: "tool_call_start", index: 0, id: "call_spawn", name: "multi_agent_v1__spawn_agent" },
  { type: "tool_call_delta", index: 0, argumentsDelta: '{"message":' },
  { type: "tool_call_delta", index: 0, argumentsDelta: '"List the TODOs."}' },
  { type: "part_end", index: 0 },
  { type: "finish", stopReason: "tool_use", usage: { inputTokens: 30, outputTokens: 9 } },
];

const context = (): EncodeContext => ({ model: "gpt-5.1-codex", tools: codexRequest().tools ?? [] });
const client = (url: string) => new OpenAI({ apiKey: "test-key", baseURL: `${url}/v1`, maxRetries: 0 });

describe("openai-responses namespace and hosted tools: decoding", () => {
  it("reads Codex's tools as flat function tools that keep the client's names, and leaves web search out", () => {
    const request = codexRequest();
    expect(request.tools?.map((tool) => tool.name)).toEqual(FLAT_NAMES);
    expect(request.tools?.[0]?.namespaced).toBeUndefined();
    expect(request.tools?.[4]).toEqual({
      name: "multi_agent_v1__spawn_agent",
      parameters: {
        type: "object",
        properties: {
          fork_context: {
            type: "boolean",
            description: "True forks the current thread history into the new agent.",
          },
          message: { type: "string", description: "Initial plain-text task for the new agent." },
        },
        additionalProperties: false,
      },
      description: "Tools for spawning and managing sub-agents.\n\nSpawn a sub-agent for a well-scoped task.",
      strict: false,
      namespaced: { namespace: "multi_agent_v1", name: "spawn_agent" },
    });
    expect(request.toolChoice).toEqual({ type: "auto" });
  });

  it("reads an earlier call and output of a namespaced function under its flat name", () => {
    const [, call, output] = codexRequest().messages;
    expect(call?.parts).toEqual([
      {
        type: "tool_call",
        id: "call_spawn_1",
        name: "multi_agent_v1__spawn_agent",
        arguments: '{"message":"List the TODO comments under src/."}',
      },
    ]);
    const named = codec.decodeRequest({
      model: "m",
      input: [{ type: "function_call_output", call_id: "c", namespace: "ns", name: "f", output: "ok" }],
    });
    expect(named.messages[0]?.parts[0]).toMatchObject({
      type: "tool_result",
      toolCallId: "c",
      name: "ns__f",
    });
    expect(output?.parts[0]).toMatchObject({ type: "tool_result", toolCallId: "call_spawn_1" });
  });

  it("keeps over-long and unusual joined names valid, distinct and the same on every turn", () => {
    const namespace = "mcp__a_rather_long_server_name_for_testing";
    const long = ["create_pull_request_review_comment", "create_pull_request_review_thread"];
    const body = {
      model: "m",
      input: [{ type: "function_call", call_id: "c", namespace, name: long[0], arguments: "{}" }],
      tools: [
        namespaceTool(namespace, long),
        namespaceTool("crm.v1", ["search"]),
        namespaceTool("1st", ["go"]),
      ],
    };
    const request = codec.decodeRequest(body);
    const names = request.tools?.map((tool) => tool.name) ?? [];
    for (const name of names) expect(name).toMatch(VALID_NAME);
    expect(names[0]).toHaveLength(64);
    expect(names[0]?.startsWith(`${namespace}__create_pul`)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    expect(names[2]?.startsWith("crm_v1__search_")).toBe(true);
    expect(names[3]?.startsWith("_1st__go_")).toBe(true);
    expect(codec.decodeRequest(body).tools?.map((tool) => tool.name)).toEqual(names);
    expect(request.messages[0]?.parts[0]).toMatchObject({ type: "tool_call", name: names[0] });
    expect(request.tools?.[2]?.namespaced).toEqual({ namespace: "crm.v1", name: "search" });
  });

  it("refuses two tools of one flat name, naming the second and the first", () => {
    const error = wireError(() =>
      codec.decodeRequest({
        model: "m",
        input: "x",
        tools: [{ type: "function", name: "crm__search" }, namespaceTool("crm", ["search"])],
      }),
    );
    expect(error.error.status).toBe(400);
    expect(error.error.param).toBe("tools[1].tools[0].name");
    expect(error.message).toContain('"crm__search"');
    expect(error.message).toContain("tools[0].name");
  });

  it("leaves web search out of allowed_tools as well", () => {
    const request = codec.decodeRequest({
      ...codexBody(),
      tool_choice: {
        type: "allowed_tools",
        mode: "auto",
        tools: [{ type: "function", name: "exec_command" }, { type: "web_search" }],
      },
    });
    expect(request.tools?.map((tool) => tool.name)).toEqual(["exec_command"]);
  });

  it("refuses what web search's absence or an untranslatable tool would change, naming the field", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { tools: [{ type: "namespace", name: "ns", tools: [{ type: "custom", name: "c" }] }] },
        "tools[0].tools[0].type",
      ],
      [{ tools: [{ type: "namespace", name: "ns" }] }, "tools[0].tools"],
      [{ tools: [{ type: "web_search" }], tool_choice: "required" }, "tool_choice"],
      [{ tools: [{ type: "web_search" }], tool_choice: { type: "web_search_preview" } }, "tool_choice.type"],
      [
        {
          input: [
            {
              type: "web_search_call",
              id: "ws_1",
              status: "completed",
              action: { type: "search", query: "q" },
            },
          ],
        },
        "input[0].type",
      ],
    ];
    for (const [fields, param] of cases) {
      const error = wireError(() => codec.decodeRequest({ model: "m", input: "x", ...fields }));
      expect(error.error.status).toBe(400);
      expect(error.error.param).toBe(param);
    }
  });
});

describe("openai-responses namespace and hosted tools: other dialects' requests", () => {
  it.each(DIALECTS.map((dialect) => ({ dialect })))(
    "gives $dialect every function by a name it accepts, and no web search",
    ({ dialect }) => {
      const body = CODECS[dialect].encodeRequest(codexRequest());
      expect(declaredNames(dialect, body)).toEqual(FLAT_NAMES);
      for (const name of FLAT_NAMES) expect(name).toMatch(VALID_NAME);
      expect(JSON.stringify(body)).not.toContain("web_search");
    },
  );
});

describe("openai-responses namespace and hosted tools: calls back to the client", () => {
  it("names a namespaced call by namespace and own name in a whole response, and a plain one as it is", () => {
    const body = codec.encodeResponse(CALLS, context()) as { output: Array<Record<string, unknown>> };
    expect(body.output[0]).toMatchObject({
      type: "function_call",
      call_id: "call_exec",
      name: "exec_command",
    });
    expect(body.output[0]).not.toHaveProperty("namespace");
    expect(body.output[1]).toMatchObject({
      type: "function_call",
      call_id: "call_spawn",
      namespace: "multi_agent_v1",
      name: "spawn_agent",
      arguments: CALL_ARGUMENTS,
    });
    const unknown = codec.encodeResponse(CALLS, { model: "m" }) as { output: Array<Record<string, unknown>> };
    expect(unknown.output[1]).toMatchObject({ name: "multi_agent_v1__spawn_agent" });
    expect(unknown.output[1]).not.toHaveProperty("namespace");
  });

  it("names it so in every stream event that names the call", () => {
    const text = encodeEvents(codec.encodeStream(context()), CALL_EVENTS);
    const events = text
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => JSON.parse(line.slice(6)) as WireEvent);
    const byType = (type: string) => events.filter((event) => event.type === type);
    const named = { type: "function_call", namespace: "multi_agent_v1", name: "spawn_agent" };
    expect(byType("response.output_item.added")[0]?.item).toMatchObject({ ...named, call_id: "call_spawn" });
    expect(byType("response.function_call_arguments.done")[0]).toMatchObject({
      name: "spawn_agent",
      arguments: CALL_ARGUMENTS,
    });
    expect(byType("response.output_item.done")[0]?.item).toMatchObject({
      ...named,
      arguments: CALL_ARGUMENTS,
    });
    expect(byType("response.completed")[0]?.response?.output).toEqual([
      expect.objectContaining({ ...named, arguments: CALL_ARGUMENTS, status: "completed" }),
    ]);
  });

  it("gives the openai SDK the namespaced call in a whole response", async () => {
    await using server = serveCanned({
      body: JSON.stringify(codec.encodeResponse(CALLS, context())),
      contentType: JSON_TYPE,
    });
    const response = await client(server.url).responses.create({ model: "gpt-5.1-codex", input: "go" });
    const call = response.output[1];
    expect(call?.type === "function_call" && { namespace: call.namespace, name: call.name }).toEqual({
      namespace: "multi_agent_v1",
      name: "spawn_agent",
    });
  });

  it("gives the openai SDK's stream helper the namespaced call, and its next request maps back to the flat name", async () => {
    await using server = serveCanned({
      body: encodeEvents(codec.encodeStream(context()), CALL_EVENTS),
      contentType: SSE,
    });
    const stream = client(server.url).responses.stream({ model: "gpt-5.1-codex", input: "go" });
    const added: unknown[] = [];
    const snapshots: string[] = [];
    stream.on("response.output_item.added", (event) => added.push(event.item));
    stream.on("response.function_call_arguments.delta", (event) => snapshots.push(event.snapshot));
    const final = await stream.finalResponse();
    const named = { type: "function_call", namespace: "multi_agent_v1", name: "spawn_agent" };
    expect(added).toEqual([expect.objectContaining(named)]);
    expect(snapshots).toEqual(['{"message":', CALL_ARGUMENTS]);
    const call = final.output[0];
    expect(call).toMatchObject({ ...named, call_id: "call_spawn", arguments: CALL_ARGUMENTS });
    if (call?.type !== "function_call") throw new Error("expected a function call");

    // The client's next turn sends the call back as it got it, with its output.
    await using nextServer = serveCanned({
      body: JSON.stringify(codec.encodeResponse({ ...CALLS, parts: [] }, context())),
      contentType: JSON_TYPE,
    });
    await client(nextServer.url).responses.create({
      model: "gpt-5.1-codex",
      input: [call, { type: "function_call_output", call_id: call.call_id, output: "agent_7" }],
    });
    const next = codec.decodeRequest(JSON.parse(nextServer.requests[0]?.body ?? "{}"));
    expect(next.messages[0]?.parts[0]).toMatchObject({
      type: "tool_call",
      id: "call_spawn",
      name: "multi_agent_v1__spawn_agent",
    });
  });
});
