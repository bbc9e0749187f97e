/**
 * `/api/policies`: routing policies (routing/policies.ts) — list, create, delete (`?id=`). A rule
 * that routes names a combo that must exist; times are UTC "HH:MM".
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { POLICIES_KEY, type Policy, readPolicies } from "../routing/policies.ts";
import { type FieldProblem, managementError } from "./errors.ts";

const time = t.String({ pattern: "^([01]\\d|2[0-3]):[0-5]\\d$" });
const policyBody = t.Object({
  name: t.String({ minLength: 1, maxLength: 100 }),
  enabled: t.Optional(t.Boolean()),
  apiKeyIds: t.Optional(t.Array(t.String({ minLength: 1 }), { maxItems: 1000 })),
  models: t.Optional(t.Array(t.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 })),
  days: t.Optional(t.Array(t.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })),
  hours: t.Optional(t.Object({ from: time, to: time })),
  action: t.UnionEnum(["allow", "deny", "route"]),
  combo: t.Optional(t.String({ minLength: 1 })),
  message: t.Optional(t.String({ maxLength: 1000 })),
  /** Where in the list (0: first); absent: last. */
  position: t.Optional(t.Integer({ minimum: 0 })),
});

export function policyRoutes(context: AppContext) {
  const { settings } = context;
  return new Elysia()
    .get("/api/policies", () => ({ policies: readPolicies(settings) }))
    .post(
      "/api/policies",
      ({ body, status }) => {
        const problems: FieldProblem[] = [];
        if (body.action === "route" && body.combo === undefined)
          problems.push({ field: "combo", message: "required when action is route" });
        if (body.combo !== undefined && !context.combos.list().some((combo) => combo.name === body.combo))
          problems.push({ field: "combo", message: `no combo named '${body.combo}'` });
        if (problems.length > 0) return status(400, managementError("Invalid policy", problems));
        const { position, ...fields } = body;
        const policy: Policy = { id: crypto.randomUUID(), enabled: true, ...fields };
        const policies = [...readPolicies(settings)];
        policies.splice(position ?? policies.length, 0, policy);
        settings.set(POLICIES_KEY, policies);
        return status(201, { policy });
      },
      { body: policyBody },
    )
    .delete(
      "/api/policies",
      ({ query, status }) => {
        const policies = readPolicies(settings);
        const kept = policies.filter((policy) => policy.id !== query.id);
        if (kept.length === policies.length)
          return status(404, managementError(`No policy with id ${query.id}`));
        settings.set(POLICIES_KEY, kept);
        return { ok: true, id: query.id };
      },
      { query: t.Object({ id: t.String({ minLength: 1 }) }) },
    );
}
