import { describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import { createApp } from "../../src/app.ts";
import { createContext } from "../../src/context.ts";
import { createLogger } from "../../src/ops/log.ts";
import { openStore } from "../../src/store/db.ts";
import { TEST_PASSWORD, tempDir } from "../helpers/server.ts";

describe("request logging", () => {
  it("logs method, path, status, time and request id, and never a secret", async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const context = createContext(
      openStore(dir),
      createLogger("info", (line) => lines.push(line), true),
    );
    await context.password.ensure(TEST_PASSWORD);
    const app = await createApp(context);
    const login = await app.handle(
      new Request("http://localhost/api/auth/login?key=sk-sy-secretinquery", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer sk-sy-secretinheader" },
        body: JSON.stringify({ password: TEST_PASSWORD }),
      }),
    );
    const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
    await app.handle(new Request("http://localhost/api/keys", { headers: { cookie } }));
    await Bun.sleep(10);
    context.store.close();
    rmSync(dir, { recursive: true, force: true });

    const entries = lines.map((line) => JSON.parse(line));
    const requestLines = entries.filter((entry) => entry.msg === "request");
    expect(requestLines).toHaveLength(2);
    expect(requestLines[0]).toMatchObject({ method: "POST", status: 200 });
    expect(requestLines[0].path).toStartWith("/api/auth/login");
    expect(typeof requestLines[0].ms).toBe("number");
    expect(requestLines[0].id).toBe(login.headers.get("x-request-id"));
    const everything = lines.join("");
    for (const secret of ["secretinquery", "secretinheader", TEST_PASSWORD, cookie.split("=")[1]!]) {
      expect(everything).not.toContain(secret);
    }
  });
});
