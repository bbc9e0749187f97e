/** Model patterns for API keys and policies: `*` matches any run of characters. */

/** Whether `model` is one of `patterns`; null patterns allow every model. */
export function allowsModel(patterns: readonly string[] | null, model: string): boolean {
  return patterns === null || patterns.some((pattern) => wildcard(pattern).test(model));
}

const compiled = new Map<string, RegExp>();

function wildcard(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    const source = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    regex = new RegExp(`^${source}$`);
    compiled.set(pattern, regex);
  }
  return regex;
}
