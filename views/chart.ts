/**
 * Bar charts as server-rendered SVG: no chart library, works offline, scales with its box.
 * Each bar carries a <title> for hover and screen readers; the figure names the whole series.
 */
import { type Html, html } from "./html.ts";

export interface ChartPoint {
  label: string;
  value: number;
}

const WIDTH = 600;
const HEIGHT = 140;
const GAP = 2;

export function barChart(
  title: string,
  points: readonly ChartPoint[],
  format: (value: number) => string,
): Html {
  const highest = Math.max(0, ...points.map((point) => point.value));
  const slot = points.length === 0 ? WIDTH : WIDTH / points.length;
  const bars = points.map((point, index) => {
    const height =
      highest === 0 ? 0 : Math.max(point.value > 0 ? 1 : 0, (point.value / highest) * (HEIGHT - 4));
    return html`<rect x="${(index * slot + GAP / 2).toFixed(1)}" y="${(HEIGHT - height).toFixed(1)}"
      width="${Math.max(1, slot - GAP).toFixed(1)}" height="${height.toFixed(1)}"><title>${point.label}: ${format(point.value)}</title></rect>`;
  });
  return html`<figure class="chart">
    <figcaption>${title} <span class="hint">· peak ${format(highest)}</span></figcaption>
    <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${title}, ${points.length} bars, peak ${format(highest)}">
      <line x1="0" y1="${HEIGHT}" x2="${WIDTH}" y2="${HEIGHT}" class="axis" />${bars}
    </svg>
    ${
      points.length > 0
        ? html`<div class="chart-range"><span>${points[0]!.label}</span><span>${points[points.length - 1]!.label}</span></div>`
        : html`<p class="empty">No requests in this range.</p>`
    }
  </figure>`;
}
