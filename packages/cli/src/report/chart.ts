import { escapeXml } from '@shiftgate/core';
/** One simulated minute of a deployment, for the chart. */
export interface ChartPoint {
  /** Minutes since the deployment started. */
  minute: number;
  /** The canary's share of traffic, percent. */
  weight: number;
  /** 5xx share of requests, percent; null without requests. */
  canaryErrorRate: number | null;
  baselineErrorRate: number | null;
  /** Milliseconds; null without requests. */
  canaryP99: number | null;
  baselineP99: number | null;
}

/** What the chart draws besides the series. */
export interface ChartOptions {
  title: string;
  points: ChartPoint[];
  /** `max-error-rate`, percent. */
  maxErrorRate: number;
  /** `max-p99-latency`, milliseconds. */
  maxP99: number;
  /** Where the verdict came, in minutes, and what it was. */
  verdict: { minute: number; label: string; good: boolean } | null;
}

const WIDTH = 760;
const LEFT = 64;
const RIGHT = 24;
const PANEL = 110;
const GAP = 34;
const TOP = 62;
const COLORS = {
  canary: '#d9480f',
  baseline: '#868e96',
  weight: '#1c7ed6',
  threshold: '#c92a2a',
  good: '#2b8a3e',
  grid: '#e9ecef',
  text: '#212529',
};

/** Escapes text for SVG (the one XML escaper of core). */
export const xml = escapeXml;

function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** A `ceil` to a round axis maximum: 1, 2, 5 × 10ⁿ. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/**
 * Renders a deployment as one SVG of three panels over the same time axis: the canary's share of
 * traffic, the 5xx rate and the p99 latency of canary and baseline, each gate's threshold dashed, and a
 * vertical line where the verdict came. Self-contained (no scripts, no external fonts), so it can be
 * inlined in Markdown.
 */
export function renderChart(options: ChartOptions): string {
  const { points } = options;
  const last = Math.max(1, ...points.map((p) => p.minute + 1));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (minute: number) => LEFT + (minute / last) * plotWidth;
  const height = TOP + 3 * PANEL + 2 * GAP + 40;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11" role="img" aria-label="${xml(options.title)}">`,
    `<title>${xml(options.title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="18" font-size="14" font-weight="bold" fill="${COLORS.text}">${xml(options.title)}</text>`,
  );
  const errorMax = niceMax(
    Math.max(
      options.maxErrorRate * 2,
      ...points.flatMap((p) => [p.canaryErrorRate ?? 0, p.baselineErrorRate ?? 0]),
    ),
  );
  const p99Max = niceMax(
    Math.max(options.maxP99 * 1.25, ...points.flatMap((p) => [p.canaryP99 ?? 0, p.baselineP99 ?? 0])),
  );
  const panels = [
    {
      label: 'canary weight (%)',
      max: 100,
      series: [
        { name: 'canary weight', color: COLORS.weight, value: (p: ChartPoint) => p.weight, step: true },
      ],
      threshold: null as null | { value: number; label: string },
    },
    {
      label: '5xx rate (%)',
      max: errorMax,
      series: [
        {
          name: 'baseline',
          color: COLORS.baseline,
          value: (p: ChartPoint) => p.baselineErrorRate,
          step: false,
        },
        { name: 'canary', color: COLORS.canary, value: (p: ChartPoint) => p.canaryErrorRate, step: false },
      ],
      threshold: { value: options.maxErrorRate, label: `max-error-rate ${round(options.maxErrorRate)}%` },
    },
    {
      label: 'p99 latency (ms)',
      max: p99Max,
      series: [
        { name: 'baseline', color: COLORS.baseline, value: (p: ChartPoint) => p.baselineP99, step: false },
        { name: 'canary', color: COLORS.canary, value: (p: ChartPoint) => p.canaryP99, step: false },
      ],
      threshold: { value: options.maxP99, label: `max-p99-latency ${round(options.maxP99)}ms` },
    },
  ];
  panels.forEach((panel, i) => {
    const top = TOP + i * (PANEL + GAP);
    const y = (v: number) => top + PANEL - (Math.min(v, panel.max) / panel.max) * PANEL;
    parts.push(
      `<text x="${LEFT}" y="${top - 8}" font-weight="bold" fill="${COLORS.text}">${xml(panel.label)}</text>`,
      `<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL}" fill="none" stroke="${COLORS.grid}"/>`,
    );
    for (const fraction of [0, 0.5, 1]) {
      const value = panel.max * fraction;
      parts.push(
        `<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${round(y(value))}" y2="${round(y(value))}" stroke="${COLORS.grid}"/>`,
        `<text x="${LEFT - 6}" y="${round(y(value) + 4)}" text-anchor="end" fill="${COLORS.text}">${round(value)}</text>`,
      );
    }
    if (panel.threshold) {
      const ty = round(y(panel.threshold.value));
      parts.push(
        `<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${ty}" y2="${ty}" stroke="${COLORS.threshold}" stroke-dasharray="6 4" stroke-width="1.5"/>`,
        `<text x="${LEFT + plotWidth - 4}" y="${round(Number(ty) - 4)}" text-anchor="end" fill="${COLORS.threshold}">${xml(panel.threshold.label)}</text>`,
      );
    }
    for (const series of panel.series) {
      for (const segment of segments(points, series.value)) {
        const coords: string[] = [];
        segment.forEach(([minute, value], j) => {
          if (series.step && j > 0) coords.push(`${round(x(minute))},${round(y(segment[j - 1]![1]))}`);
          coords.push(`${round(x(minute))},${round(y(value))}`);
          if (series.step && j === segment.length - 1)
            coords.push(`${round(x(minute + 1))},${round(y(value))}`);
        });
        parts.push(
          `<polyline fill="none" stroke="${series.color}" stroke-width="2" points="${coords.join(' ')}"><title>${xml(series.name)}</title></polyline>`,
        );
      }
    }
    if (options.verdict) {
      const vx = round(x(options.verdict.minute));
      parts.push(
        `<line x1="${vx}" x2="${vx}" y1="${top}" y2="${top + PANEL}" stroke="${options.verdict.good ? COLORS.good : COLORS.threshold}" stroke-width="1.5"/>`,
      );
    }
  });
  const axis = TOP + 3 * PANEL + 2 * GAP;
  const tick = last <= 20 ? 2 : last <= 60 ? 5 : 10;
  for (let m = 0; m <= last; m += tick) {
    parts.push(
      `<text x="${round(x(m))}" y="${axis + 14}" text-anchor="middle" fill="${COLORS.text}">${m}</text>`,
    );
  }
  parts.push(
    `<text x="${LEFT + plotWidth / 2}" y="${axis + 30}" text-anchor="middle" fill="${COLORS.text}">simulated minutes since the rollout started</text>`,
  );
  if (options.verdict) {
    parts.push(
      `<text x="${round(x(options.verdict.minute) - 4)}" y="${TOP + 14}" text-anchor="end" fill="${options.verdict.good ? COLORS.good : COLORS.threshold}" font-weight="bold">${xml(options.verdict.label)}</text>`,
    );
  }
  const legend = [
    ['canary', COLORS.canary],
    ['baseline (stable)', COLORS.baseline],
    ['threshold', COLORS.threshold],
  ];
  legend.forEach(([name, color], i) => {
    const lx = LEFT + i * 130;
    parts.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="32" y2="32" stroke="${color}" stroke-width="2"${name === 'threshold' ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${lx + 22}" y="36" fill="${COLORS.text}">${xml(name!)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Runs of consecutive points with a value, as [minute, value] pairs. */
function segments(points: ChartPoint[], value: (p: ChartPoint) => number | null): [number, number][][] {
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  for (const point of points) {
    const v = value(point);
    if (v === null) {
      if (current.length > 0) out.push(current);
      current = [];
    } else {
      current.push([point.minute, v]);
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}
