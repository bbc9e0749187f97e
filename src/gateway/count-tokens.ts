/**
 * `POST /v1/messages/count_tokens` (Anthropic). An Anthropic-style target counts for itself;
 * for any other the count is our estimate, said so in `x-switchyard-estimated: true`.
 */
import type { AppContext } from "../context.ts";
import { operationUrl, upstreamHeaders } from "../providers/endpoint.ts";
import { estimateRequestTokens } from "../usage/estimate.ts";
import { DEFAULT_ANTHROPIC_MAX_TOKENS, rewriteModel, WireError } from "../wire/index.ts";
import { errorResponse, prepareCall } from "./call.ts";
import { planTargets } from "./pipeline.ts";

const PROBE_TIMEOUT_MS = 15_000;

export async function countTokens(context: AppContext, request: Request): Promise<Response> {
  const call = await prepareCall(context, request, { dialect: "anthropic" }, { metered: false });
  if (call instanceof Response) return call;
  const targets = planTargets(call);
  if (!Array.isArray(targets)) return errorResponse("anthropic", targets);
  const target = targets[0]!;
  const headers = { "x-switchyard-provider": target.endpoint.prefix, "x-switchyard-model": target.model };
  if (target.endpoint.dialect === "anthropic") {
    const upstream = await fetch(operationUrl(target.endpoint, "count_tokens", target.model), {
      method: "POST",
      headers: upstreamHeaders(target.endpoint),
      body: rewriteModel(call.bodyText, target.model),
      signal: AbortSignal.any([request.signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]),
    }).catch(() => undefined);
    if (upstream?.ok) return Response.json(await upstream.json(), { headers });
  }
  try {
    // count_tokens bodies carry no max_tokens; the decoder of a Messages request wants one.
    const decoded = call.codec.decodeRequest({ max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS, ...call.body });
    const inputTokens = await estimateRequestTokens(decoded);
    return Response.json(
      { input_tokens: inputTokens },
      { headers: { ...headers, "x-switchyard-estimated": "true" } },
    );
  } catch (error) {
    if (error instanceof WireError) return errorResponse("anthropic", error.error);
    throw error;
  }
}
