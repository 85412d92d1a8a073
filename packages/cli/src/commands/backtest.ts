// `shiftgate judge --source …`: backtesting the gates on past metrics, one interval or every past
// deployment of an environment (--sweep). The judging is core's (backtest, sweepRow); this file reads
// flags, builds the metric source and prints.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCloudWatchClient, metricSourceFactory, parseRegion } from '@shiftgate/aws';
import {
  backtest,
  errorMessage,
  GATE_NAMES,
  PROMETHEUS_SETTING_NAMES,
  InputError,
  isTerminal,
  outcomeOf,
  parseDuration,
  parseEvidenceSettings,
  parseHistoryLimit,
  parseMetricSource,
  readPayload,
  renderSweepTable,
  serializeTrace,
  summariseSweep,
  sweepRow,
  type EvidenceSettings,
  type MetricSource,
  type SweepRow,
} from '@shiftgate/core';
import { safeLogText } from '@shiftgate/github';
import { EXIT, UsageError, type Io } from '../command';
import { configPrometheusQueries } from '../run-support';
import { deploymentStore, parseRepo } from '../github-store';

/** The catalogue settings a backtest takes as flags (no alarms or smoke: the past has none to read). */
export const BACKTEST_SETTINGS = [
  ...GATE_NAMES,
  'metric-queries',
  'poll-interval',
  // The source is --source, not metric-source.
  ...PROMETHEUS_SETTING_NAMES,
] as const;

/** The flags of a backtest besides the settings. */
export const BACKTEST_FLAGS = {
  source: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  canary: { type: 'string' },
  baseline: { type: 'string' },
  'load-balancer-arn': { type: 'string' },
  'aws-region': { type: 'string' },
  out: { type: 'string' },
  sweep: { type: 'boolean' },
  repo: { type: 'string' },
  environment: { type: 'string' },
  limit: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

const RELATIVE = /^now(?:-(.+))?$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Parses `--from`/`--to`: an ISO 8601 time with its zone (`2026-03-01T12:00:00Z`), `now` or `now-<duration>`. */
export function parseTime(flag: string, text: string, now: number): number {
  const relative = RELATIVE.exec(text);
  if (relative) return now - (relative[1] ? parseDuration(flag, relative[1]) : 0);
  const ms = ISO.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw new InputError(
      flag,
      text,
      "an ISO 8601 time with its zone such as 2026-03-01T12:00:00Z, 'now' or 'now-2h'",
    );
  return ms;
}

/** The settings of a backtest, from flags (and the config file's prometheus.queries). */
function settingsFrom(values: Values, io: Io): EvidenceSettings {
  if (values.source === undefined)
    throw new UsageError("missing --source cloudwatch|prometheus. See 'shiftgate judge --help'.");
  const source = parseMetricSource('--source', String(values.source));
  const templates = configPrometheusQueries(values, io);
  const get = (name: string): string => {
    if (name === 'metric-source') return source;
    if (name === 'prometheus-queries') return templates;
    const v = values[name];
    if (typeof v === 'string') return v;
    // Secrets may come from the environment rather than a flag another user could see in `ps`.
    if (name === 'prometheus-token') return io.env.SHIFTGATE_PROMETHEUS_TOKEN ?? '';
    if (name === 'prometheus-password') return io.env.SHIFTGATE_PROMETHEUS_PASSWORD ?? '';
    return '';
  };
  return parseEvidenceSettings(get, { withBakeTime: true });
}

/** A source per pair of target groups, for the chosen `--source`. */
function sourceFactory(values: Values, io: Io, settings: EvidenceSettings) {
  const region =
    parseRegion('--aws-region', (values['aws-region'] as string | undefined) ?? '') ??
    (io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || undefined);
  const factory = metricSourceFactory(settings.source, region ? { jobRegion: region } : {});
  let client: ReturnType<typeof createCloudWatchClient> | undefined;
  return (pair: { canary: string; baseline: string; loadBalancer: string | null }): MetricSource => {
    if (settings.source.kind === 'cloudwatch' && !pair.loadBalancer)
      throw new UsageError('--source cloudwatch needs --load-balancer-arn (the ALB whose metrics to read)');
    return factory({
      cloudwatch: () =>
        (client ??= createCloudWatchClient({ caller: 'cli-judge', ...(region ? { region } : {}) })),
      loadBalancerArn: pair.loadBalancer ?? '',
      pair: { stable: pair.baseline, canary: pair.canary },
      period: settings.pollInterval,
      queries: settings.queries,
      slowThreshold: settings.gates.maxP99Latency,
      percentile: settings.gates.latencyPercentile,
    });
  };
}

/** `judge --source … --from … --to …`: one interval. */
export async function runBacktest(values: Values, io: Io): Promise<number> {
  for (const flag of ['repo', 'environment', 'limit'] as const)
    if (values[flag] !== undefined) throw new UsageError(`--${flag} only applies with --sweep`);
  const settings = settingsFrom(values, io);
  for (const flag of ['from', 'to', 'canary', 'baseline'] as const)
    if (typeof values[flag] !== 'string')
      throw new UsageError(`missing --${flag}. See 'shiftgate judge --help'.`);
  const now = Date.now();
  const from = parseTime('--from', values.from as string, now);
  const to = parseTime('--to', values.to as string, now);
  if (to > now)
    throw new InputError('--to', values.to, 'a time in the past (metrics of the future are not there yet)');
  const metrics = sourceFactory(
    values,
    io,
    settings,
  )({
    canary: values.canary as string,
    baseline: values.baseline as string,
    loadBalancer: (values['load-balancer-arn'] as string | undefined) ?? null,
  });
  const result = await backtest({ metrics, gates: settings.gates, period: settings.pollInterval, from, to });
  const out = resolve(io.cwd, (values.out as string | undefined) ?? 'shiftgate-backtest.json');
  writeFileSync(out, `${serializeTrace(result.trace, result.judgement)}\n`);
  if (result.readFailure !== null) {
    io.stderr(
      `shiftgate judge: the metrics could not be read, so the gates were not judged (trace in ${safeLogText(out)}): ${safeLogText(result.readFailure)}\n`,
    );
    return EXIT.failed;
  }
  io.stdout(
    `${JSON.stringify(
      {
        decision: result.judgement.decision ?? 'inconclusive',
        decidedAtWindow: result.judgement.decidedAtWindow,
        decidedAt: result.decidedAt,
        detectionMs: result.detectionMs,
        windows: result.windows,
        message: result.judgement.message,
        checks: result.judgement.checks,
        trace: (values.out as string | undefined) ?? 'shiftgate-backtest.json',
      },
      null,
      2,
    )}\n`,
  );
  return EXIT.ok;
}

/** `judge --sweep`: every finished past deployment of an environment. */
export async function runSweep(values: Values, io: Io): Promise<number> {
  for (const flag of ['from', 'to', 'out'] as const)
    if (values[flag] !== undefined)
      throw new UsageError(`--${flag} does not apply with --sweep (each deployment's own times are used)`);
  const settings = settingsFrom(values, io);
  if (typeof values.repo !== 'string')
    throw new UsageError("--sweep needs --repo owner/name. See 'shiftgate judge --help'.");
  const repo = parseRepo(values.repo);
  if (typeof values.environment !== 'string')
    throw new UsageError("--sweep needs --environment <name>. See 'shiftgate judge --help'.");
  const limit = parseHistoryLimit('--limit', (values.limit as string | undefined) ?? '50');
  const { store } = deploymentStore(io, repo, 'cli judge');
  const deployments = await store.listDeployments({ environment: values.environment, limit });
  const sourceFor = sourceFactory(values, io, settings);
  const rows: SweepRow[] = [];
  for (const d of deployments) {
    const outcome = outcomeOf(d.statuses);
    let payload = null;
    try {
      payload = readPayload(d.id, d.payload);
    } catch {
      payload = null;
    }
    const state = payload?.['rollout-state'] ?? null;
    const base = {
      'deployment-id': d.id,
      version: payload?.record.version ?? d.ref,
      recorded: outcome.status,
    };
    const skip = (reason: string) =>
      rows.push({ ...base, gates: 'not judged', 'detection-ms': null, reason });
    if (!isTerminal(outcome.status) || outcome.completedAt === null) {
      skip(`not finished (${outcome.status})`);
      continue;
    }
    const canary = (values.canary as string | undefined) ?? state?.['canary-target-group-arn'] ?? null;
    const baseline = (values.baseline as string | undefined) ?? state?.['stable-target-group-arn'] ?? null;
    if (!canary || !baseline) {
      skip('its record names no canary and baseline target groups (give --canary and --baseline)');
      continue;
    }
    const from = payload?.record['started-at'] ?? d.createdAt;
    try {
      const metrics = sourceFor({
        canary,
        baseline,
        loadBalancer:
          (values['load-balancer-arn'] as string | undefined) ?? state?.['load-balancer-arn'] ?? null,
      });
      const result = await backtest({
        metrics,
        gates: settings.gates,
        period: settings.pollInterval,
        from,
        to: outcome.completedAt,
      });
      rows.push(sweepRow(base, result));
    } catch (error) {
      // A refused query or flag is the same for every deployment: stop, exit 2.
      if (error instanceof InputError || error instanceof UsageError) throw error;
      skip(errorMessage(error));
    }
  }
  if (values.json)
    io.stdout(
      `${JSON.stringify({ repository: values.repo, environment: values.environment, deployments: rows, summary: summariseSweep(rows) }, null, 2)}\n`,
    );
  else io.stdout(renderSweepTable(rows, (text) => safeLogText(text)));
  return EXIT.ok;
}
