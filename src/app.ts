/**
 * createApp: composes the plugins into one Elysia app around an AppContext. It never listens;
 * main.ts does, and tests call `app.handle()` or listen on a random port.
 */
import { Elysia, type ValidationError } from "elysia";
import { BodyNotAnObject, type FieldProblem, managementError } from "./admin/errors.ts";
import { adminApi } from "./admin/index.ts";
import type { AppContext } from "./context.ts";
import { dashboard } from "./dashboard/index.ts";
import { errorResponse } from "./gateway/call.ts";
import { dialectOfPath, gateway } from "./gateway/index.ts";
import { gatewayCaller } from "./ops/console.ts";
import { apiDocs } from "./ops/docs.ts";
import { redactQuery } from "./ops/log.ts";
import { clientAddress } from "./security/client-address.ts";
import { ipRefusal } from "./security/ip-filter.ts";

const started = new WeakMap<Request, number>();

export async function createApp(context: AppContext) {
  const { logger } = context;
  const callGateway = gatewayCaller(context);
  return new Elysia({ normalize: true })
    .onRequest(({ request, set, server }) => {
      started.set(request, performance.now());
      set.headers["x-request-id"] = request.headers.get("x-request-id") ?? crypto.randomUUID();
      const refused = ipRefusal(context.settings, clientAddress(server, request));
      if (refused) return refusedAddress(new URL(request.url).pathname, `Access refused: ${refused}`);
    })
    .onError(({ code, error, set, request }) => {
      switch (code) {
        case "PARSE":
          set.status = 400;
          return managementError("The request body is not valid JSON (or not of its content type)", [
            { field: "body", message: error.message },
          ]);
        case "VALIDATION":
          set.status = 400;
          return managementError(
            error.type === "query" ? "The query string is not valid" : "The request body is not valid",
            validationProblems(error),
          );
        case "NOT_FOUND":
          set.status = 404;
          return managementError(`No route for ${request.method} ${new URL(request.url).pathname}`);
        default: {
          if (error instanceof BodyNotAnObject) {
            set.status = 400;
            return managementError(error.message, [{ field: "body", message: "must be a JSON object" }]);
          }
          const message = error instanceof Error ? error.message : String(error);
          logger.error("unhandled error", { path: new URL(request.url).pathname, error: message });
          set.status = 500;
          return managementError("Internal error; see the server log");
        }
      }
    })
    .onAfterResponse(({ request, set, responseValue }) => {
      if (!logger.enabled("info")) return;
      const start = started.get(request);
      logger.info("request", {
        method: request.method,
        path: redactQuery(new URL(request.url)),
        status:
          responseValue instanceof Response
            ? responseValue.status
            : typeof set.status === "number"
              ? set.status
              : 200,
        ms: start === undefined ? undefined : Math.round((performance.now() - start) * 10) / 10,
        id: String(set.headers["x-request-id"] ?? ""),
      });
    })
    .use(gateway(context))
    .use(adminApi(context, callGateway))
    .use(dashboard(context, callGateway))
    .use(await apiDocs());
}

/** 403 for a refused client address, in the path's client dialect or the management error shape. */
function refusedAddress(path: string, message: string): Response {
  const dialect = dialectOfPath(path);
  if (dialect) return errorResponse(dialect, { type: "permission", message, status: 403 });
  return Response.json(managementError(message), { status: 403 });
}

function validationProblems(error: Readonly<ValidationError>): FieldProblem[] {
  return error.all.map((problem) => ({
    field: problem.path ? problem.path.replace(/^\//, "").replaceAll("/", ".") : "body",
    message: problem.summary ?? problem.message,
  }));
}

export type App = Awaited<ReturnType<typeof createApp>>;
