/** The translator playground: a request body translated into another dialect, or sent through the gateway. */
import { Elysia } from "elysia";
import { translatorPage, translatorResult } from "../../views/pages/translator.ts";
import { DIALECTS } from "../wire/ir.ts";
import type { ApiAnswer, ManagementCall } from "./management.ts";
import { type FormFields, filled, formBody, page } from "./respond.ts";

function parsedBody(form: FormFields): { json: unknown } | { error: string } {
  try {
    return { json: JSON.parse(form.body ?? "") };
  } catch (error) {
    return { error: `The body is not JSON: ${(error as Error).message}` };
  }
}

function shown(
  title: string,
  answer: ApiAnswer<Record<string, unknown>>,
  pick: (data: Record<string, unknown>) => unknown,
) {
  return page(
    translatorResult(
      answer.ok
        ? { title, status: answer.status, text: JSON.stringify(pick(answer.data), null, 2) }
        : { title, status: answer.status, error: answer.message },
    ),
  );
}

export function translatorPages(api: ManagementCall) {
  return new Elysia()
    .get("/dashboard/translator", () => page(translatorPage({ dialects: DIALECTS })))
    .post(
      "/dashboard/translator/translate",
      async ({ body, request }) => {
        const parsed = parsedBody(body);
        if ("error" in parsed) return page(translatorResult({ title: "Translation", error: parsed.error }));
        let sourceFormat = filled(body, "sourceFormat");
        if (sourceFormat === undefined) {
          const detected = await api<{ format: string | null }>(request, "POST", "/api/translator/detect", {
            body: parsed.json,
          });
          sourceFormat = detected.ok ? (detected.data.format ?? undefined) : undefined;
          if (sourceFormat === undefined)
            return page(
              translatorResult({
                title: "Translation",
                error: "The body's format could not be detected; choose it under From.",
              }),
            );
        }
        const answer = await api(request, "POST", "/api/translator/translate", {
          sourceFormat,
          targetFormat: body.targetFormat ?? "",
          body: parsed.json,
        });
        return shown(
          `Translation from ${sourceFormat} to ${body.targetFormat ?? ""}`,
          answer,
          (data) => data.body,
        );
      },
      { body: formBody },
    )
    .post(
      "/dashboard/translator/send",
      async ({ body, request }) => {
        const parsed = parsedBody(body);
        if ("error" in parsed)
          return page(translatorResult({ title: "Gateway answer", error: parsed.error }));
        const sourceFormat = filled(body, "sourceFormat");
        const answer = await api(request, "POST", "/api/translator/send", {
          body: parsed.json,
          ...(sourceFormat ? { sourceFormat } : {}),
        });
        return shown("Gateway answer", answer, (data) => data);
      },
      { body: formBody },
    );
}
