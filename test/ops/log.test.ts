import { describe, expect, it } from "bun:test";
import { createLogger, redactQuery } from "../../src/ops/log.ts";

function capture(level: Parameters<typeof createLogger>[0], json: boolean) {
  const lines: string[] = [];
  return { lines, logger: createLogger(level, (line) => lines.push(line), json) };
}

describe("the process log", () => {
  it("writes one JSON object per line when not on a terminal", () => {
    const { lines, logger } = capture("info", true);
    logger.info("request", { method: "GET", status: 200, ms: 1.5 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "info",
      msg: "request",
      method: "GET",
      status: 200,
      ms: 1.5,
    });
  });

  it("writes a readable line on a terminal", () => {
    const { lines, logger } = capture("info", false);
    logger.warn("slow", { ms: 900 });
    expect(lines[0]).toBe("WARN  slow ms=900\n");
  });

  it("respects LOG_LEVEL", () => {
    const { lines, logger } = capture("warn", true);
    logger.debug("a");
    logger.info("b");
    logger.warn("c");
    logger.error("d");
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(["c", "d"]);
    const silent = capture("silent", true);
    silent.logger.error("x");
    expect(silent.lines).toEqual([]);
  });

  it("blanks credentials that clients put in the query string", () => {
    const url = new URL("http://h/v1beta/models/x:generateContent?key=AIzaSecret&alt=sse&api_key=sk-1");
    const redacted = redactQuery(url);
    expect(redacted).not.toContain("AIzaSecret");
    expect(redacted).not.toContain("sk-1");
    expect(redacted).toContain("alt=sse");
    expect(redactQuery(new URL("http://h/api/keys"))).toBe("/api/keys");
  });
});
