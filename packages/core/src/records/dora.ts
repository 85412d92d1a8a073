import {
  escapeMarkdown as cell,
  fieldProblem,
  formatPercent,
  InputError,
  median,
  silentLogger,
  type Logger,
} from '../shared/index';
import type { DeploymentStatus } from './record';
import { readPayload } from './recorder';
import { outcomeOf, type StoredDeployment } from './store';
import type { RolloutState } from '../rollout/index';
import type { StrategyName } from '../strategy/index';

/**
 * Deployment history and the four DORA figures computed from it. Pure: the GitHub adapter fetches,
 * these functions count. Definitions (https://dora.dev/guides/dora-metrics-four-keys/) as this project
 * measures them from GitHub Deployments:
 * - deployment frequency: successful deployments per day over the window;
 * - change failure rate: failed or rolled-back deployments over finished deployments (succeeded, failed
 *   or rolled back; one still running has no outcome yet and is not counted either way);
 * - time to restore: from a failed or rolled-back deployment (the first of a run of them) to the
 *   completion of the next successful one;
 * - lead time for changes: from the commit time of the deployed ref to the deployment's success.
 */

/** One deployment in a history. Times are milliseconds since the epoch. */
export interface HistoryEntry {
  'deployment-id': number;
  environment: string;
  ref: string;
  sha: string;
  /** The version the record names; the ref for deployments other tools created. */
  version: string;
  strategy: StrategyName | null;
  status: DeploymentStatus;
  'started-at': number;
  'completed-at': number | null;
  'duration-ms': number | null;
  'rolled-back': boolean;
  reason: string | null;
  /** The commit time of the deployed sha, when known (for lead time). */
  'commit-at': number | null;
  /** The run that recorded the outcome (or the latest status's log URL). */
  'log-url': string | null;
  /** False for deployments other tools created (their payload has no shiftgate record). */
  shiftgate: boolean;
}

/**
 * One history entry from a stored deployment. The start time is the record's (when shiftgate created
 * the deployment) or the deployment's creation; the end is the first terminal status.
 */
export function historyEntry(deployment: StoredDeployment, commitAt: number | null): HistoryEntry {
  let payload = null;
  try {
    payload = readPayload(deployment.id, deployment.payload);
  } catch {
    payload = null;
  }
  const outcome = outcomeOf(deployment.statuses);
  const startedAt = payload?.record['started-at'] ?? deployment.createdAt;
  const last = outcome.terminal ?? deployment.statuses.at(-1) ?? null;
  return {
    'deployment-id': deployment.id,
    environment: deployment.environment,
    ref: deployment.ref,
    sha: deployment.sha,
    version: payload?.record.version ?? deployment.ref,
    strategy: payload?.strategy ?? null,
    status: outcome.status,
    'started-at': startedAt,
    'completed-at': outcome.completedAt,
    'duration-ms': outcome.completedAt === null ? null : Math.max(0, outcome.completedAt - startedAt),
    'rolled-back': outcome.status === 'rolled_back',
    reason: outcome.reason,
    'commit-at': commitAt,
    'log-url': last?.logUrl || null,
    shiftgate: payload !== null,
  };
}

/** What `last-good` reports: the newest successful deployment of an environment. */
export interface LastGood {
  'deployment-id': number;
  environment: string;
  ref: string;
  sha: string;
  version: string;
  strategy: StrategyName | null;
  'completed-at': number;
  'rollout-state': RolloutState | null;
}

/**
 * The newest successful deployment among `deployments` (any order), with the rollout state it stored,
 * for a "roll back to last good" workflow. Null when none succeeded. Anyone with `deployments: write`
 * can create a deployment, so only validated values come out: a candidate whose environment, ref, sha
 * or version breaks the field rules, or whose payload claims to be shiftgate's and does not parse, is
 * passed over with a warning naming it, and the next newest is taken.
 */
export function lastGood(
  deployments: readonly StoredDeployment[],
  logger: Logger = silentLogger,
): LastGood | null {
  const succeeded = deployments
    .map((deployment) => ({ deployment, at: outcomeOf(deployment.statuses) }))
    .filter(({ at }) => at.status === 'succeeded' && at.completedAt !== null)
    .sort((a, b) => b.at.completedAt! - a.at.completedAt! || b.deployment.id - a.deployment.id);
  for (const { deployment, at } of succeeded) {
    const candidate = goodCandidate(deployment, at.completedAt!);
    if (typeof candidate !== 'string') return candidate;
    logger.warning(`last-good passes over deployment ${deployment.id}: ${candidate}`);
  }
  return null;
}

/** The last-good document of one successful deployment, or why its values cannot be trusted. */
function goodCandidate(deployment: StoredDeployment, completedAt: number): LastGood | string {
  let payload;
  try {
    payload = readPayload(deployment.id, deployment.payload);
  } catch (error) {
    return (error as Error).message;
  }
  const good: LastGood = {
    'deployment-id': deployment.id,
    environment: deployment.environment,
    ref: deployment.ref,
    sha: deployment.sha,
    version: payload?.record.version ?? deployment.ref,
    strategy: payload?.strategy ?? null,
    'completed-at': completedAt,
    'rollout-state': payload?.['rollout-state'] ?? null,
  };
  const checks: [string, unknown, 'environment' | 'ref' | 'sha' | 'version'][] = [
    ['environment', good.environment, 'environment'],
    ['ref', good.ref, 'ref'],
    ['sha', good.sha, 'sha'],
    ['version', good.version, 'version'],
  ];
  for (const [key, value, kind] of checks) {
    const problem = fieldProblem(kind, value);
    if (problem !== null) return `its ${key} ${problem}`;
  }
  return good;
}

/** The DORA figures over a window. Durations in milliseconds, rates in percent (25 for 25%). */
export interface DoraFigures {
  /** Window start and end, milliseconds since the epoch. */
  from: number;
  to: number;
  'window-days': number;
  /** Deployments that started in the window (any status). */
  deployments: number;
  succeeded: number;
  failed: number;
  'rolled-back': number;
  /** Still pending or in progress. */
  unfinished: number;
  /** Successful deployments per day. */
  'deployment-frequency': number;
  /** Failed or rolled back over finished, in percent; null with no finished deployment. */
  'change-failure-rate': number | null;
  /** Median time to restore; null with no restored incident. */
  'time-to-restore-ms': number | null;
  /** Incidents (runs of failed or rolled-back deployments) restored by a later success. */
  'restored-incidents': number;
  /** Incidents with no success after them yet. */
  'open-incidents': number;
  /** Median lead time for changes; null when no success has a known commit time. */
  'lead-time-ms': number | null;
  /** Successes whose commit time was known (the lead time's sample size). */
  'lead-time-samples': number;
}

/**
 * Computes the DORA figures for the deployments that started within `windowMs` before `now`.
 * A restore may end after the window (the next success is looked for in the whole history).
 */
export function computeDora(
  entries: readonly HistoryEntry[],
  options: { now: number; windowMs: number },
): DoraFigures {
  const from = options.now - options.windowMs;
  const to = options.now;
  const ordered = [...entries].sort(
    (a, b) => a['started-at'] - b['started-at'] || a['deployment-id'] - b['deployment-id'],
  );
  const inWindow = ordered.filter((e) => e['started-at'] >= from && e['started-at'] <= to);
  const count = (status: DeploymentStatus) => inWindow.filter((e) => e.status === status).length;
  const succeeded = count('succeeded');
  const failed = count('failed');
  const rolledBack = count('rolled_back');
  const finished = succeeded + failed + rolledBack;
  const days = options.windowMs / 86_400_000;

  // Incidents: runs of failed/rolled-back deployments in the order they finished, each closed by the
  // next success. A run that starts in the window counts, even if its restore comes later.
  const finishedAll = ordered
    .filter((e) => e['completed-at'] !== null && e.status !== 'pending' && e.status !== 'in_progress')
    .sort((a, b) => a['completed-at']! - b['completed-at']! || a['deployment-id'] - b['deployment-id']);
  const restores: number[] = [];
  let open = 0;
  let incidentStart: HistoryEntry | null = null;
  for (const entry of finishedAll) {
    if (entry.status === 'succeeded') {
      if (
        incidentStart !== null &&
        incidentStart['started-at'] >= from &&
        incidentStart['started-at'] <= to
      ) {
        restores.push(entry['completed-at']! - incidentStart['completed-at']!);
      }
      incidentStart = null;
    } else if (incidentStart === null) {
      incidentStart = entry;
    }
  }
  if (incidentStart !== null && incidentStart['started-at'] >= from && incidentStart['started-at'] <= to)
    open = 1;

  const leadTimes = inWindow
    .filter((e) => e.status === 'succeeded' && e['commit-at'] !== null && e['completed-at'] !== null)
    .map((e) => Math.max(0, e['completed-at']! - e['commit-at']!));

  return {
    from,
    to,
    'window-days': round(days, 2),
    deployments: inWindow.length,
    succeeded,
    failed,
    'rolled-back': rolledBack,
    unfinished: inWindow.length - finished,
    'deployment-frequency': round(succeeded / days, 3),
    'change-failure-rate': finished === 0 ? null : round(((failed + rolledBack) / finished) * 100, 2),
    'time-to-restore-ms': medianMs(restores),
    'restored-incidents': restores.length,
    'open-incidents': open,
    'lead-time-ms': medianMs(leadTimes),
    'lead-time-samples': leadTimes.length,
  };
}

/** The median in whole milliseconds; null for no values. */
function medianMs(values: readonly number[]): number | null {
  const middle = median(values);
  return middle === null ? null : Math.round(middle);
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** Parses a history limit: 1 to 1000 deployments. */
export function parseHistoryLimit(input: string, value: string): number {
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1000) {
    throw new InputError(input, value, 'a whole number of deployments from 1 to 1000');
  }
  return Number(text);
}

// ---- formatting --------------------------------------------------------------------------------

/** A span of time for people, two units at most: `2d 3h`, `3h 12m`, `12m 5s`, `45s`, `800ms`. */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const total = Math.round(ms / 1000) * 1000;
  const index = units.findIndex(([, size]) => total >= size);
  const [name, size] = units[index]!;
  const first = Math.floor(total / size);
  const next = units[index + 1];
  const second = next ? Math.floor((total - first * size) / next[1]) : 0;
  return second > 0 ? `${first}${name} ${second}${next![0]}` : `${first}${name}`;
}

/** A timestamp for tables: `2026-01-10 14:05 UTC` style (UTC, minutes). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** Deployment frequency for people: `3.5 per day`, `0.93 per week`, `0.6 per month`. */
export function formatFrequency(perDay: number): string {
  if (perDay >= 1) return `${Number(perDay.toFixed(2))} per day`;
  if (perDay * 7 >= 0.25) return `${Number((perDay * 7).toFixed(2))} per week`;
  return `${Number((perDay * 30).toFixed(2))} per month`;
}

/** The four figures as rows of (figure, value, detail). */
export function doraRows(dora: DoraFigures): [string, string, string][] {
  const cfr = dora['change-failure-rate'];
  const finished = dora.succeeded + dora.failed + dora['rolled-back'];
  return [
    [
      'Deployment frequency',
      formatFrequency(dora['deployment-frequency']),
      `${dora.succeeded} successful in ${dora['window-days']} days`,
    ],
    [
      'Change failure rate',
      cfr === null ? 'n/a' : formatPercent(cfr),
      `${dora.failed + dora['rolled-back']} of ${finished} finished (${dora.failed} failed, ${dora['rolled-back']} rolled back)`,
    ],
    [
      'Time to restore',
      dora['time-to-restore-ms'] === null ? 'n/a' : formatSpan(dora['time-to-restore-ms']),
      `median of ${dora['restored-incidents']} restored incident${dora['restored-incidents'] === 1 ? '' : 's'}, ${dora['open-incidents']} open`,
    ],
    [
      'Lead time for changes',
      dora['lead-time-ms'] === null ? 'n/a' : formatSpan(dora['lead-time-ms']),
      `median of ${dora['lead-time-samples']} deployment${dora['lead-time-samples'] === 1 ? '' : 's'}`,
    ],
  ];
}

const HISTORY_HEADER = ['ID', 'Version', 'Status', 'Started (UTC)', 'Duration', 'Ref', 'Reason'];

function historyRows(entries: readonly HistoryEntry[]): string[][] {
  return entries.map((e) => [
    String(e['deployment-id']),
    e.version,
    e.status,
    formatTime(e['started-at']),
    e['duration-ms'] === null ? '-' : formatSpan(e['duration-ms']),
    /^[0-9a-f]{40}$/.test(e.ref) ? e.ref.slice(0, 7) : e.ref,
    e.reason ?? '',
  ]);
}

/** The history and DORA tables as plain text, columns aligned, for a terminal. */
export function renderHistoryText(options: {
  repo: string;
  environment: string;
  entries: readonly HistoryEntry[];
  dora: DoraFigures;
}): string {
  const lines: string[] = [];
  lines.push(
    `Deployments of ${options.repo} to ${options.environment} (newest first, ${options.entries.length} shown)`,
  );
  lines.push('');
  if (options.entries.length === 0) lines.push('No deployments.');
  else lines.push(...align([HISTORY_HEADER, ...historyRows(options.entries)]));
  lines.push('');
  lines.push(
    `DORA over ${options.dora['window-days']} days (${formatTime(options.dora.from)} to ${formatTime(options.dora.to)} UTC)`,
  );
  lines.push('');
  lines.push(...align([['Figure', 'Value', 'Detail'], ...doraRows(options.dora)]));
  return `${lines.join('\n')}\n`;
}

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length)));
  const pad = (row: string[]) =>
    row
      .map((cell, column) =>
        column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - [...cell].length),
      )
      .join('  ')
      .trimEnd();
  return [pad(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(pad)];
}

/** The history and DORA tables as Markdown, for a job summary. */
export function renderHistoryMarkdown(options: {
  repo: string;
  environment: string;
  entries: readonly HistoryEntry[];
  dora: DoraFigures;
}): string {
  const table = (rows: string[][]) => [
    `| ${rows[0]!.map(cell).join(' | ')} |`,
    `| ${rows[0]!.map(() => '---').join(' | ')} |`,
    ...rows.slice(1).map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
  const lines = [
    `### DORA for ${cell(options.environment)}`,
    '',
    `Over ${options.dora['window-days']} days (${formatTime(options.dora.from)} to ${formatTime(options.dora.to)} UTC), from the newest ${options.entries.length} deployments of ${cell(options.repo)}.`,
    '',
    ...table([['Figure', 'Value', 'Detail'], ...doraRows(options.dora)]),
    '',
    `### Deployments of ${cell(options.repo)} to ${cell(options.environment)}`,
    '',
    ...(options.entries.length === 0
      ? ['No deployments.']
      : table([HISTORY_HEADER, ...historyRows(options.entries)])),
    '',
  ];
  return lines.join('\n');
}
