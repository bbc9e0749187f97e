/** The combos page: create, edit (steps, weights, strategy), test each step, per-step metrics. */
import { Elysia } from "elysia";
import {
  type CombosView,
  type ComboView,
  comboCard,
  comboForm,
  combosPage,
  combosSection,
  type StepTest,
} from "../../views/pages/combos.ts";
import type { AppContext } from "../context.ts";
import { COMBO_STRATEGIES } from "../routing/strategies.ts";
import type { ManagementCall } from "./management.ts";
import { type FormFields, formBody, page } from "./respond.ts";

function combosView(context: AppContext): CombosView {
  return {
    strategies: COMBO_STRATEGIES,
    combos: context.combos.list().map((row) => ({
      id: row.id,
      name: row.name,
      strategy: row.strategy,
      steps: row.steps.map((step) => ({
        model: step.model ?? row.model,
        connectionName: step.connectionId
          ? (context.providers.getConnection(step.connectionId)?.name ?? step.connectionId)
          : null,
        weight: step.weight,
      })),
      metrics: context.comboMetrics.snapshot(row.name, row.steps.length),
    })),
  };
}

/** "model [weight]" per line into the management API's list form. */
function comboInput(form: FormFields) {
  const models = (form.steps ?? "")
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([model]) => model)
    .map(([model, weight]) => (weight === undefined ? model! : { model: model!, weight: Number(weight) }));
  return { name: form.name?.trim() ?? "", strategy: form.strategy ?? "priority", models };
}

export function comboPages(context: AppContext, api: ManagementCall) {
  const section = (refused: Parameters<typeof combosSection>[1] = {}, status = 200) =>
    page(combosSection(combosView(context), refused), status);
  const find = (id: string): ComboView | undefined =>
    combosView(context).combos.find((combo) => combo.id === id);
  const missing = () => section({ alert: "That combo no longer exists" }, 404);

  return new Elysia()
    .get("/dashboard/combos", () => page(combosPage(combosView(context))))
    .post(
      "/dashboard/combos",
      async ({ body, request }) => {
        const answer = await api(request, "POST", "/api/combos", comboInput(body));
        if (answer.ok) return section();
        return section(
          { form: { values: body, message: answer.message, problems: answer.problems } },
          answer.status,
        );
      },
      { body: formBody },
    )
    .get("/dashboard/combos/:id/edit", ({ params }) => {
      const combo = find(params.id);
      return combo ? page(comboForm(combosView(context), { combo })) : missing();
    })
    .post(
      "/dashboard/combos/:id",
      async ({ params, body, request }) => {
        const answer = await api(
          request,
          "PATCH",
          `/api/combos/${encodeURIComponent(params.id)}`,
          comboInput(body),
        );
        if (answer.ok) return section();
        if (answer.status === 404) return missing();
        const form = { values: body, message: answer.message, problems: answer.problems };
        return section({ form, editing: params.id }, answer.status);
      },
      { body: formBody },
    )
    .post("/dashboard/combos/:id/test", async ({ params, request }) => {
      const combo = find(params.id);
      if (!combo) return missing();
      const answer = await api<{ steps: StepTest[] }>(request, "POST", "/api/combos/test", { id: params.id });
      return answer.ok ? page(comboCard(combo, answer.data.steps)) : missing();
    })
    .delete("/dashboard/combos/:id", async ({ params, request }) => {
      await api(request, "DELETE", `/api/combos/${encodeURIComponent(params.id)}`);
      return section();
    });
}
