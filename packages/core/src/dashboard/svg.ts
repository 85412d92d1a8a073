// The dashboard's charts: inline SVG generated here (no charting library, no script), every text through
// the one escaper. Each chart is an image with a text alternative; the figures it draws are also in a
// table or a sentence on the page, so nothing is told by colour or by the picture alone.
import { escapeHtml as h } from '../shared/index';
import type { DeploymentStatus } from '../records/index';
import type { DeploymentView } from './model';

/** Colours with at least 3:1 against white (WCAG non-text contrast) and 4.5:1 for the text ones. */
export const PALETTE = {
  succeeded: '#2b8a3e',
  failed: '#c92a2a',
  rolled_back: '#b35c00',
  in_progress: '#1864ab',
  pending: '#5c5f66',
  canary: '#c2410c',
  baseline: '#5c5f66',
  weight: '#1864ab',
  threshold: '#c92a2a',
  grid: '#dee2e6',
  text: '#212529',
} as const;

/** The lane (row) of each outcome on the timeline, so an outcome is told by position as well as colour. */
const LANES: { label: string; statuses: DeploymentStatus[]; css: string }[] = [
  { label: 'succeeded', statuses: ['succeeded'], css: 'ok' },
  { label: 'rolled back', statuses: ['rolled_back'], css: 'rb' },
  { label: 'failed', statuses: ['failed'], css: 'ko' },
  { label: 'unfinished', statuses: ['in_progress', 'pending'], css: 'un' },
];

/** Short labels of outcomes for people. */
export const STATUS_LABEL: Record<DeploymentStatus, string> = {
  pending: 'pending',
  in_progress: 'in progress',
  succeeded: 'succeeded',
  failed: 'failed',
  rolled_back: 'rolled back',
};

const r1 = (n: number) => String(Math.round(n * 10) / 10);

/** A `ceil` to a round axis maximum: 1, 2, 5 × 10ⁿ. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The timeline of an environment: one mark per deployment at its start time, in the lane of its outcome
 * and coloured by it, with a tooltip naming it.
 */
export function timelineSvg(options: {
  deployments: DeploymentView[];
  from: number;
  to: number;
  label: string;
}): string {
  const W = 960;
  const LEFT = 96;
  const RIGHT = 16;
  const LANE = 26;
  const TOP = 8;
  const height = TOP + LANES.length * LANE + 26;
  const span = Math.max(1, options.to - options.from);
  const x = (t: number) => LEFT + ((t - options.from) / span) * (W - LEFT - RIGHT);
  const counts = LANES.map(
    (lane) => options.deployments.filter((d) => lane.statuses.includes(d.entry.status)).length,
  );
  const summary = `${options.label}: ${options.deployments.length} deployments from ${day(options.from)} to ${day(options.to)}; ${LANES.map((l, i) => `${counts[i]} ${l.label}`).join(', ')}`;
  const out: string[] = [
    `<svg class="timeline" viewBox="0 0 ${W} ${height}" role="img" aria-label="${h(summary)}" preserveAspectRatio="xMinYMin meet">`,
  ];
  LANES.forEach((lane, i) => {
    const y = TOP + i * LANE;
    out.push(
      `<text x="${LEFT - 8}" y="${y + 17}" text-anchor="end" class="lbl">${h(lane.label)}</text>`,
      `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y + LANE / 2}" y2="${y + LANE / 2}" stroke="${PALETTE.grid}"/>`,
    );
  });
  for (const d of options.deployments) {
    const lane = LANES.findIndex((l) => l.statuses.includes(d.entry.status));
    const y = TOP + lane * LANE + 4;
    const e = d.entry;
    out.push(
      `<rect class="mark ${LANES[lane]!.css}" x="${r1(x(e['started-at']) - 1.5)}" y="${y}" width="3" height="${LANE - 8}"><title>${h(`${e['deployment-id']} ${e.version} ${STATUS_LABEL[e.status]} ${new Date(e['started-at']).toISOString().slice(0, 16).replace('T', ' ')}`)}</title></rect>`,
    );
  }
  const axis = TOP + LANES.length * LANE + 16;
  for (let i = 0; i <= 4; i++) {
    const t = options.from + (span * i) / 4;
    out.push(
      `<text x="${r1(x(t))}" y="${axis}" text-anchor="${i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}" class="lbl">${day(t)}</text>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}

/** A small weekly bar chart of one DORA figure; weeks without a value have no bar. */
export function trendSvg(options: {
  label: string;
  values: (number | null)[];
  format: (v: number) => string;
}): string {
  const W = 160;
  const H = 40;
  const n = Math.max(1, options.values.length);
  const max = niceMax(Math.max(0, ...options.values.map((v) => v ?? 0)));
  const bar = W / n;
  const described = options.values
    .map((v, i) => `week ${i + 1}: ${v === null ? 'n/a' : options.format(v)}`)
    .join(', ');
  const out = [
    `<svg class="trend" viewBox="0 0 ${W} ${H}" role="img" aria-label="${h(`${options.label}, oldest week first: ${described}`)}">`,
    `<line x1="0" x2="${W}" y1="${H - 0.5}" y2="${H - 0.5}" stroke="${PALETTE.grid}"/>`,
  ];
  options.values.forEach((v, i) => {
    if (v === null) return;
    const height = Math.max(1, (v / max) * (H - 2));
    out.push(
      `<rect x="${r1(i * bar + 1)}" y="${r1(H - height)}" width="${r1(Math.max(1, bar - 2))}" height="${r1(height)}" fill="${PALETTE.weight}"/>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}

/** The text styles of a chart saved as its own file (on a page, the site's style sheet gives them). */
const SVG_TEXT_STYLE = `text{font-family:Helvetica,Arial,sans-serif}.lbl{font-size:12px;fill:${PALETTE.text}}.b{font-weight:700}.ttl{font-size:14px;font-weight:700;fill:${PALETTE.text}}.thr{fill:${PALETTE.threshold}}`;

/** One series of a panel: a value per x position (null is a gap). */
export interface Series {
  name: string;
  color: string;
  values: (number | null)[];
  /** Draw as steps (weights) rather than a line. */
  step?: boolean;
  dashed?: boolean;
}

/** One panel of a chart over a shared x axis. */
export interface Panel {
  label: string;
  series: Series[];
  threshold: { value: number; label: string } | null;
}

/** Panels over one x axis (steps or windows), thresholds dashed, with a legend. */
export function panelChart(options: {
  title: string;
  xLabel: string;
  panels: Panel[];
  /** A file of its own (linked from Markdown): the namespace, a size and its own text styles. */
  standalone?: boolean;
}): string {
  const W = 760;
  const LEFT = 56;
  const RIGHT = 16;
  const PANEL = 100;
  const GAP = 36;
  const TOP = 40;
  const n = Math.max(2, ...options.panels.flatMap((p) => p.series.map((s) => s.values.length)));
  const plot = W - LEFT - RIGHT;
  const x = (i: number) => LEFT + (i / (n - 1)) * plot;
  const height = TOP + options.panels.length * (PANEL + GAP) + 10;
  const out = options.standalone
    ? [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" role="img" aria-label="${h(options.title)}">`,
        `<title>${h(options.title)}</title>`,
        `<style>${SVG_TEXT_STYLE}</style>`,
        `<rect width="${W}" height="${height}" fill="#ffffff"/>`,
      ]
    : [`<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-label="${h(options.title)}">`];
  out.push(`<text x="${LEFT}" y="16" class="ttl">${h(options.title)}</text>`);
  const names = [
    ...new Map(options.panels.flatMap((p) => p.series.map((s) => [s.name, s] as const))).values(),
  ];
  names.forEach((s, i) => {
    const lx = LEFT + i * 150;
    out.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="28" y2="28" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${lx + 22}" y="32" class="lbl">${h(s.name)}</text>`,
    );
  });
  options.panels.forEach((panel, p) => {
    const top = TOP + 14 + p * (PANEL + GAP);
    const values = panel.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
    const max = niceMax(Math.max(panel.threshold ? panel.threshold.value * 1.25 : 0, ...values));
    const y = (v: number) => top + PANEL - (Math.min(v, max) / max) * PANEL;
    out.push(
      `<text x="${LEFT}" y="${top - 6}" class="lbl b">${h(panel.label)}</text>`,
      `<rect x="${LEFT}" y="${top}" width="${plot}" height="${PANEL}" fill="none" stroke="${PALETTE.grid}"/>`,
    );
    for (const f of [0, 0.5, 1]) {
      out.push(
        `<text x="${LEFT - 6}" y="${r1(y(max * f) + 4)}" text-anchor="end" class="lbl">${r1(max * f)}</text>`,
      );
    }
    if (panel.threshold) {
      const ty = r1(y(panel.threshold.value));
      out.push(
        `<line x1="${LEFT}" x2="${LEFT + plot}" y1="${ty}" y2="${ty}" stroke="${PALETTE.threshold}" stroke-dasharray="6 4" stroke-width="1.5"/>`,
        `<text x="${LEFT + plot - 4}" y="${r1(Number(ty) - 4)}" text-anchor="end" class="lbl thr">${h(panel.threshold.label)}</text>`,
      );
    }
    for (const s of panel.series) {
      const pts: string[] = [];
      const flush = () => {
        if (pts.length > 0)
          out.push(
            `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${pts.join(' ')}"/>`,
          );
        pts.length = 0;
      };
      s.values.forEach((v, i) => {
        if (v === null) return flush();
        if (s.step && pts.length > 0) pts.push(`${r1(x(i))},${pts.at(-1)!.split(',')[1]}`);
        pts.push(`${r1(x(i))},${r1(y(v))}`);
        if (s.values.length === 1) pts.push(`${r1(x(1))},${r1(y(v))}`);
      });
      flush();
    }
  });
  out.push(
    `<text x="${LEFT + plot / 2}" y="${height - 2}" text-anchor="middle" class="lbl">${h(options.xLabel)}</text>`,
  );
  out.push('</svg>');
  return out.join('');
}
