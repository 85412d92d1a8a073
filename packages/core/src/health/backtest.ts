// Backtesting (issue 15): a past interval of real metrics through the same bake and judge, window by
// window, on virtual time; and the sweep over an environment's past deployments.
import { InputError, virtualTime, type Logger } from '../shared/index';
import { bake } from './bake';
import type { MetricWindow } from './evidence';
import type { Gates } from './gates';
import type { Judgement } from './judge';
import type { MetricSource } from './ports';
import type { Trace } from './trace';

/** What to replay. */
export interface BacktestOptions {
  metrics: MetricSource;
  gates: Gates;
  /** Window length, ms. */
  period: number;
  /** The interval, epoch ms: whole windows from the first boundary at or after `from` to the last at or before `to`. */
  from: number;
  to: number;
  logger?: Logger;
}

/** How the gates judged the interval. */
export interface BacktestResult {
  judgement: Judgement;
  /** The trace `shiftgate judge --trace` replays. */
  trace: Trace;
  /** Windows the interval holds. */
  windows: number;
  /** Start (ISO 8601) of the window that decided; null when none did (pre-flight, or evidence ran out). */
  decidedAt: string | null;
  /** From `from` to the end of the deciding window, ms; null when no window decided. */
  detectionMs: number | null;
  /**
   * Why the metrics could not be read, when the bake ended on failed polls (the last entry of the
   * trace is one): the verdict is then about the source, not the canary. Null otherwise.
   */
  readFailure: string | null;
}

/** The most windows one backtest reads: a week of minutes. */
export const MAX_BACKTEST_WINDOWS = 10_080;

/**
 * Replays `[from, to)` through {@link bake} on virtual time: one poll per window, so each window is read
 * as a live bake would have read it (the latency-increase thresholds from the windows before it), and
 * the verdict is the one the gates would have reached. The bake's longest time is the interval: when it
 * ends undecided, on-inconclusive decides.
 */
export async function backtest(options: BacktestOptions): Promise<BacktestResult> {
  const { period } = options;
  const first = Math.ceil(options.from / period) * period;
  const last = Math.floor(options.to / period) * period;
  const windows = (last - first) / period;
  if (windows < 1)
    throw new InputError('--to', new Date(options.to).toISOString(), '', {
      message: `Input '--to' must leave at least one whole ${period / 1000}s window after --from (${new Date(options.from).toISOString()}), got ${new Date(options.to).toISOString()}`,
    });
  if (windows > MAX_BACKTEST_WINDOWS)
    throw new InputError('--to', new Date(options.to).toISOString(), '', {
      message: `Input '--to' is ${windows} windows after --from; at most ${MAX_BACKTEST_WINDOWS} are read in one backtest`,
    });
  const time = virtualTime(first);
  const { judgement, trace } = await bake({
    gates: options.gates,
    period,
    metricDelay: 0,
    maxBakeTime: last - first,
    start: first,
    metrics: options.metrics,
    clock: time.clock,
    sleep: time.sleep,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const at = judgement.decidedAtWindow;
  const entry = at === null ? undefined : trace.windows[at];
  const start = entry && !('error' in entry) ? ((entry as MetricWindow).start ?? null) : null;
  const lastEntry = trace.windows[trace.windows.length - 1];
  return {
    judgement,
    trace,
    windows,
    decidedAt: start,
    detectionMs: start === null ? null : Date.parse(start) + period - options.from,
    readFailure: lastEntry && 'error' in lastEntry ? lastEntry.error : null,
  };
}

/** How the gates would have judged one past deployment. */
export type SweepVerdict = 'would have stopped' | 'would have passed' | 'inconclusive' | 'not judged';

/** One row of a sweep. */
export interface SweepRow {
  'deployment-id': number;
  version: string;
  /** What happened: succeeded, rolled_back, failed. */
  recorded: string;
  gates: SweepVerdict;
  /** From the deployment's start to the end of the deciding window, ms. */
  'detection-ms': number | null;
  /** The verdict sentence, or why the deployment was not judged. */
  reason: string;
}

/** The row of a judged deployment. */
export function sweepRow(
  base: Pick<SweepRow, 'deployment-id' | 'version' | 'recorded'>,
  result: BacktestResult,
): SweepRow {
  if (result.readFailure !== null)
    return {
      ...base,
      gates: 'not judged',
      'detection-ms': null,
      reason: `metrics not read: ${result.readFailure}`,
    };
  const decision = result.judgement.decision;
  return {
    ...base,
    gates:
      decision === 'rollback'
        ? 'would have stopped'
        : decision === 'promote'
          ? 'would have passed'
          : 'inconclusive',
    'detection-ms': decision === 'rollback' ? result.detectionMs : null,
    reason: result.judgement.message,
  };
}

/** The counts a team tunes thresholds on. */
export interface SweepSummary {
  judged: number;
  'rolled-back': number;
  /** Rolled back (or failed) deployments the gates would have stopped too. */
  caught: number;
  succeeded: number;
  /** Succeeded deployments the gates would have stopped: the price of the thresholds. */
  'false-stops': number;
  'not-judged': number;
}

/** Counts the rows. */
export function summariseSweep(rows: readonly SweepRow[]): SweepSummary {
  const judged = rows.filter((r) => r.gates !== 'not judged');
  const bad = judged.filter((r) => r.recorded === 'rolled_back' || r.recorded === 'failed');
  const good = judged.filter((r) => r.recorded === 'succeeded');
  return {
    judged: judged.length,
    'rolled-back': bad.length,
    caught: bad.filter((r) => r.gates === 'would have stopped').length,
    succeeded: good.length,
    'false-stops': good.filter((r) => r.gates === 'would have stopped').length,
    'not-judged': rows.length - judged.length,
  };
}

/** The sweep as a plain-text table with a summary line; `clean` flattens untrusted text to one line. */
export function renderSweepTable(rows: readonly SweepRow[], clean: (text: string) => string): string {
  const minutes = (ms: number | null) => (ms === null ? '' : `${Math.round(ms / 6000) / 10}m`);
  const table = [
    ['deployment', 'version', 'recorded', 'gates', 'detection'],
    ...rows.map((r) => [
      String(r['deployment-id']),
      clean(r.version).slice(0, 40),
      r.recorded === 'rolled_back' ? 'rolled back' : r.recorded,
      r.gates,
      minutes(r['detection-ms']),
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
  const s = summariseSweep(rows);
  lines.push(
    '',
    `${s.judged} judged: of ${s['rolled-back']} rolled back or failed, the gates would have stopped ${s.caught}; of ${s.succeeded} that succeeded, they would have stopped ${s['false-stops']}.` +
      (s['not-judged'] > 0 ? ` ${s['not-judged']} not judged (see --json for why).` : ''),
  );
  return `${lines.join('\n')}\n`;
}
