import { escapeMarkdown as escape, formatDuration, formatPercent } from '../shared/index';
import { isPollError, type MetricWindow } from './evidence';
import { formatLatency, formatLatencyPercentile, slowShare } from './gates';
import { fmtPct, type Check } from './check';
import type { Judgement } from './judge';
import type { Phase } from './phase';
import type { Trace } from './trace';

const ICON: Record<Phase, string> = {
  Successful: '✅',
  Pending: '⏳',
  Running: '🔄',
  Inconclusive: '❔',
  Failed: '❌',
  Error: '⚠️',
};

/**
 * One line per poll that a person can follow in the log, e.g.
 * `[4m/5m] canary 312 req, 0.3% err (≤1%), p99 212ms (≤500ms, 0.32% slower (≤1%), +3% vs baseline) — baking`.
 * Values are the judge's cumulative ones (error rate over all requests, median window percentile, the
 * share of requests slower than max-p99-latency that the latency gate tests).
 */
export function progressLine(judgement: Judgement, trace: Trace): string {
  const gates = trace.gates;
  const check = (name: string) => judgement.checks.find((c) => c.name === name);
  const requests = check('min-requests')?.observed;
  const errors = check('max-error-rate')?.observed;
  const p99 = check('max-p99-latency')?.observed;
  const increase = check('max-latency-increase')?.observed;
  const healthy = check('min-healthy-percent')?.observed;
  const pct = formatLatencyPercentile(gates.latencyPercentile);
  const slow = check('max-p99-latency')?.slowShare;
  const parts = [
    `canary ${requests ?? 'no'} req`,
    `${errors === null || errors === undefined ? 'no data' : fmtPct(errors)} err (≤${formatPercent(gates.maxErrorRate)})`,
    `${pct} ${p99 === null || p99 === undefined ? 'no data' : formatLatency(p99)} (≤${formatLatency(gates.maxP99Latency)}${
      typeof slow === 'number'
        ? `, ${fmtPct(slow)} slower (≤${fmtPct(100 * slowShare(gates.latencyPercentile))})`
        : ''
    }${
      increase === null || increase === undefined
        ? ''
        : `, ${increase >= 0 ? '+' : ''}${fmtPct(increase)} vs baseline`
    })`,
  ];
  if (healthy !== null && healthy !== undefined && healthy < 100)
    parts.push(`${fmtPct(healthy)} hosts healthy`);
  const lastEntry = trace.windows[trace.windows.length - 1];
  const status =
    judgement.decision !== null
      ? judgement.message
      : lastEntry && isPollError(lastEntry)
        ? `provider error, retrying: ${lastEntry.error}`
        : waitingFor(judgement);
  return `[${formatDuration(judgement.elapsed)}/${formatDuration(gates.bakeTime)}] ${parts.join(', ')} — ${status}`;
}

function waitingFor(judgement: Judgement): string {
  const open = judgement.checks.filter((c) => c.phase !== 'Successful' && c.name !== 'bake-time');
  if (open.length === 0) return 'baking';
  return `baking (${open.map((c) => (c.phase === 'Pending' ? `${c.name}: no data yet` : c.name)).join(', ')})`;
}

/** How the bake ended, for the summary's first line. */
export interface SummaryOptions {
  title: string;
  judgement: Judgement;
  trace: Trace;
  /** The decision the action reports (`promote | rollback | inconclusive`), or null when cancelled. */
  decision: string | null;
  /** Extra sentences after the verdict (cancellation, fail-on-rollback). */
  notes?: string[];
}

/**
 * The job summary, as Markdown: the verdict first, then the checks table, then charts of canary versus
 * baseline error rate and p99 per window with the thresholds drawn (Mermaid `xychart-beta`, which
 * GitHub renders in job summaries).
 */
export function jobSummary(options: SummaryOptions): string {
  const { judgement, trace } = options;
  const icon = options.decision === 'promote' ? '✅' : options.decision === 'rollback' ? '❌' : '❔';
  const lines: string[] = [];
  lines.push(`## ${icon} ${options.title}: ${options.decision ?? 'no verdict'}`, '');
  lines.push(escape(judgement.message), '');
  for (const note of options.notes ?? []) lines.push(`> ${escape(note)}`, '');
  lines.push(
    `${judgement.windows} window${judgement.windows === 1 ? '' : 's'} of ${formatDuration(trace.period)} judged (${formatDuration(judgement.elapsed)} of bake-time ${formatDuration(trace.gates.bakeTime)}), at ${formatPercent(trace.gates.confidence)} confidence.`,
    '',
  );
  lines.push('| Check | Phase | Observed | Threshold | Verdict |', '| --- | --- | --- | --- | --- |');
  for (const check of judgement.checks) {
    lines.push(
      `| \`${check.name}\` | ${ICON[check.phase]} ${check.phase} | ${observed(check)} | ${threshold(check)} | ${escape(check.message)} |`,
    );
  }
  lines.push('');
  const windows = trace.windows.filter((e): e is MetricWindow => !isPollError(e));
  if (windows.length > 0) lines.push(...charts(windows, trace));
  return `${lines.join('\n')}\n`;
}

function observed(check: Check): string {
  if (check.observed === null && typeof check.slowShare === 'number')
    return `no data (${fmtPct(check.slowShare)} slower)`;
  if (check.observed === null) return 'no data';
  switch (check.name) {
    case 'max-error-rate':
    case 'min-healthy-percent':
      return fmtPct(check.observed);
    case 'max-latency-increase':
      return `${check.observed >= 0 ? '+' : ''}${fmtPct(check.observed)}`;
    case 'max-p99-latency':
      return typeof check.slowShare === 'number'
        ? `${formatLatency(check.observed)} (${fmtPct(check.slowShare)} slower)`
        : formatLatency(check.observed);
    case 'bake-time':
      return formatDuration(check.observed);
    default:
      return String(Number(check.observed.toPrecision(4)));
  }
}

function threshold(check: Check): string {
  if (check.threshold === null) return '—';
  switch (check.name) {
    case 'max-error-rate':
    case 'max-latency-increase':
    case 'min-healthy-percent':
      return formatPercent(check.threshold);
    case 'max-p99-latency':
      return formatLatency(check.threshold);
    case 'bake-time':
      return formatDuration(check.threshold);
    default:
      return String(check.threshold);
  }
}

function charts(windows: MetricWindow[], trace: Trace): string[] {
  const labels = windows.map((_, i) => String(i + 1));
  const rate = (side: 'canary' | 'baseline') =>
    windows.map((w) => {
      const s = w[side];
      return s && s.requests !== null && s.requests > 0 && s.errors !== null
        ? (100 * s.errors) / s.requests
        : null;
    });
  const p99 = (side: 'canary' | 'baseline') => windows.map((w) => w[side]?.p99 ?? null);
  const canaryRate = rate('canary');
  const baselineRate = rate('baseline');
  const canaryP99 = p99('canary');
  const baselineP99 = p99('baseline');
  const gaps = windows.flatMap((w, i) => (w.canary === null || w.canary.requests === null ? [i + 1] : []));
  const out = [
    '### Canary vs baseline',
    '',
    'Lines, in order: canary, baseline, threshold. Windows without data are drawn at 0' +
      (gaps.length > 0
        ? ` (no canary data in window${gaps.length === 1 ? '' : 's'} ${gaps.join(', ')}).`
        : '.'),
    '',
  ];
  out.push(
    ...chart('5xx error rate per window (%)', labels, '%', [
      canaryRate,
      baselineRate,
      labels.map(() => trace.gates.maxErrorRate),
    ]),
    ...chart('p99 latency per window (ms)', labels, 'ms', [
      canaryP99,
      baselineP99,
      labels.map(() => trace.gates.maxP99Latency),
    ]),
  );
  return out;
}

function chart(title: string, labels: string[], unit: string, series: (number | null)[][]): string[] {
  const values = series.flat().filter((v): v is number => v !== null);
  const top = niceCeiling(Math.max(...values, 0) * 1.1);
  const fmt = (v: number | null) => String(Number((v ?? 0).toFixed(3)));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis "window" [${labels.join(', ')}]`,
    `  y-axis "${unit}" 0 --> ${top}`,
    ...series.map((s) => `  line [${s.map(fmt).join(', ')}]`),
    '```',
    '',
  ];
}

function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10])
    if (step * magnitude >= value) return Number((step * magnitude).toPrecision(3));
  return value;
}
