/**
 * Ordering functions, pure over a list and a little state: how a combo orders its steps, and how
 * the accounts (connections) of one provider are ordered within a plan.
 */

export const COMBO_STRATEGIES = [
  "priority",
  "weighted",
  "round-robin",
  "random",
  "least-used",
  "cost-optimized",
] as const;
export type ComboStrategy = (typeof COMBO_STRATEGIES)[number];

export const ACCOUNT_STRATEGIES = [
  "fill-first",
  "round-robin",
  "least-used",
  "random",
  "power-of-two",
] as const;
export type AccountStrategy = (typeof ACCOUNT_STRATEGIES)[number];

export interface StepFacts {
  weight: number;
  priority: number;
  /** Requests this step has served (least-used). */
  uses: number;
  /** USD per 1M input+output tokens, when known (cost-optimized). */
  cost?: number;
}

type Random = () => number;

/** Step indices in the order to try them. `turn` counts the combo's requests (round-robin). */
export function orderSteps(
  strategy: ComboStrategy,
  steps: StepFacts[],
  turn: number,
  random: Random = Math.random,
): number[] {
  const byPriority = steps
    .map((_, index) => index)
    .sort((a, b) => steps[a]!.priority - steps[b]!.priority || a - b);
  switch (strategy) {
    case "priority":
      return byPriority;
    case "round-robin":
      return rotate(byPriority, turn);
    case "random":
      return shuffle(byPriority, random);
    case "weighted":
      return weightedOrder(byPriority, (index) => steps[index]!.weight, random);
    case "least-used":
      return byPriority.toSorted((a, b) => steps[a]!.uses - steps[b]!.uses);
    case "cost-optimized":
      return byPriority.toSorted(
        (a, b) => (steps[a]!.cost ?? Number.POSITIVE_INFINITY) - (steps[b]!.cost ?? Number.POSITIVE_INFINITY),
      );
  }
}

export interface AccountFacts {
  /** Attempts in flight on this connection now. */
  inFlight: number;
}

/**
 * The order of one provider's accounts, given in fill-first (priority) order. Round-robin moves
 * on every `sticky` requests, so a conversation tends to stay on one account for a while.
 */
export function orderAccounts(
  strategy: AccountStrategy,
  accounts: AccountFacts[],
  turn: number,
  sticky: number,
  random: Random = Math.random,
): number[] {
  const inOrder = accounts.map((_, index) => index);
  switch (strategy) {
    case "fill-first":
      return inOrder;
    case "round-robin":
      return rotate(inOrder, Math.floor(turn / Math.max(1, sticky)));
    case "least-used":
      return inOrder.toSorted((a, b) => accounts[a]!.inFlight - accounts[b]!.inFlight);
    case "random":
      return shuffle(inOrder, random);
    case "power-of-two": {
      if (inOrder.length < 2) return inOrder;
      const [first, second] = shuffle(inOrder, random) as [number, number];
      const chosen = accounts[second]!.inFlight < accounts[first]!.inFlight ? second : first;
      return [chosen, ...inOrder.filter((index) => index !== chosen)];
    }
  }
}

function rotate(list: number[], by: number): number[] {
  if (list.length === 0) return list;
  const offset = ((by % list.length) + list.length) % list.length;
  return [...list.slice(offset), ...list.slice(0, offset)];
}

function shuffle(list: number[], random: Random): number[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Weighted random order without replacement (Efraimidis–Spirakis keys); weight 0 goes last. */
function weightedOrder(list: number[], weightOf: (index: number) => number, random: Random): number[] {
  const keyed = list.map((index) => {
    const weight = weightOf(index);
    return { index, key: weight > 0 ? random() ** (1 / weight) : -1 };
  });
  return keyed.sort((a, b) => b.key - a.key).map((entry) => entry.index);
}
