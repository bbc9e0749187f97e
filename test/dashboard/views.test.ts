import { describe, expect, it } from "bun:test";
import { barChart } from "../../views/chart.ts";
import { copyable, field, problemAt } from "../../views/forms.ts";
import { pricingSection } from "../../views/pages/settings.ts";

describe("the bar chart", () => {
  it("draws one bar per point, the highest at full height, with escaped titles", () => {
    const svg = barChart(
      "Requests <all>",
      [
        { label: "a<b", value: 1 },
        { label: "c", value: 4 },
      ],
      String,
    ).value;
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('height="136.0"');
    expect(svg).toContain("<title>a&lt;b: 1</title>");
    expect(svg).toContain('aria-label="Requests &lt;all&gt;, 2 bars, peak 4"');
    expect(svg).not.toContain("<all>");
  });

  it("says so when there is nothing to draw", () => {
    expect(barChart("Cost", [], String).value).toContain("No requests in this range.");
  });
});

describe("form fields", () => {
  it("tie the label, the hint and the error to the input", () => {
    const markup = field({
      id: "key",
      name: "apiKey",
      label: "API key",
      hint: "Encrypted",
      error: "Needed",
    }).value;
    expect(markup).toContain('<label for="key">API key</label>');
    expect(markup).toContain('aria-describedby="key-hint key-error"');
    expect(markup).toContain('aria-invalid="true"');
    expect(markup).toContain('<small id="key-error" class="error">Needed</small>');
  });

  it("escape the value a user typed", () => {
    expect(field({ id: "n", name: "name", label: "Name", value: '"><script>' }).value).toContain(
      'value="&quot;&gt;&lt;script&gt;"',
    );
  });

  it("find the problem reported for a field or one of its sub-fields", () => {
    const problems = [{ field: "profile.breaker.openMs", message: "too small" }];
    expect(problemAt(problems, "profile.breaker")).toBe("too small");
    expect(problemAt(problems, "profile.cooldown")).toBeUndefined();
  });

  it("give copyable text a button that names it, with no inline script", () => {
    const markup = copyable("secret", "sk-sy-1").value;
    expect(markup).toContain('data-copy="secret"');
    expect(markup).not.toMatch(/\son[a-z]+=/);
  });
});

describe("the price overrides", () => {
  it("list each override's unit rates beside its token rates", () => {
    const none = { perImage: null, perMillionCharacters: null, perMinute: null, perThousandSearches: null };
    const markup = pricingSection([
      { provider: "openai", model: "gpt-x", input: 1, output: 4, ...none },
      {
        provider: "openai",
        model: "tts-1",
        input: null,
        output: null,
        ...none,
        perMillionCharacters: 30,
        perMinute: 0.01,
      },
    ]).value;
    expect(markup).toContain("<td>1</td><td>4</td><td></td>");
    expect(markup).toContain("<td></td><td></td><td>30 per 1M characters, 0.01 per minute</td>");
  });
});
