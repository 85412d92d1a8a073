import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseTrace, replay, settingDefault, settingDescription, traceJudgeOptions } from '@shiftgate/core';
import { parseFlags } from '../args';
import { EXIT, UsageError, type Command } from '../command';
import { BACKTEST_FLAGS, BACKTEST_SETTINGS, runBacktest, runSweep } from './backtest';

const SETTING_FLAGS = Object.fromEntries(
  BACKTEST_SETTINGS.map((name) => [name, { type: 'string' as const }]),
);

/** The `--help` lines of the backtest's setting flags. */
function settingLines(): string {
  return BACKTEST_SETTINGS.map((name) => {
    const value = settingDefault(name, 'run-plan');
    const text = settingDescription(name, 'run-plan');
    return `  --${name}${value === '' ? '' : ` (default ${value})`}\n      ${text.length > 150 ? `${text.slice(0, 147)}…` : text}`;
  }).join('\n');
}

/** `shiftgate judge --trace <file>`: replays a bake-and-gate trace through the same judge. */
export const judgeCommand: Command = {
  name: 'judge',
  summary: 'Replay a trace, or backtest the gates on past CloudWatch or Prometheus metrics',
  get help() {
    return `Usage: shiftgate judge --trace <file>
       shiftgate judge --source cloudwatch|prometheus --from <time> --to <time> --canary <tg> --baseline <tg>
                       [--load-balancer-arn <arn>] [--out <file>] [gate flags] [prometheus flags]
       shiftgate judge --sweep --source cloudwatch|prometheus --repo owner/name --environment <name>
                       [--limit 50] [--canary <tg>] [--baseline <tg>] [--json] [gate flags]

Replays a trace (the bake-and-gate action's trace output, or one written by hand) through the same
health judge, window by window, and prints one JSON object:

  {"decision": "promote" | "rollback" | "inconclusive",
   "decidedAtWindow": <0-based index of the window that decided, or null>,
   "checks": [{"name", "phase", "observed", "interval", "evidence", "threshold", "windows", "message"}, ...]}

decidedAtWindow is null when the verdict came before the first window (pre-flight) or when the
evidence ran out and on-inconclusive decided.

Trace format:
  {"period": "60s",
   "gates": {"max-error-rate": "1%", "max-p99-latency": "500ms", "max-latency-increase": "20%",
             "min-healthy-percent": "95%", "min-requests": 200, "bake-time": "10m", "confidence": "95%",
             "on-inconclusive": "rollback", "max-consecutive-errors": 4},
   "windows": [{"canary":   {"requests": 61,   "errors": 0, "p99": 212, "healthy": 2,  "unhealthy": 0},
                "baseline": {"requests": 1158, "errors": 3, "p99": 205, "healthy": 18, "unhealthy": 0}},
               {"error": "GetMetricData failed: Throttling"}]}
Gates not given take their defaults; a missing or null side or field is no data for that window;
bake-time counts windows × period from the first window; {"error": ...} entries are failed polls.

Backtest (--source): replays the windows of [--from, --to) of real metrics through the same bake and
judge, one window per poll as a live bake reads them, and prints the verdict, the window that decided
(decidedAtWindow, decidedAt, detectionMs from --from to its end) and the checks; the trace goes to --out
(default shiftgate-backtest.json), which 'shiftgate judge --trace' replays. Times are ISO 8601 with a
zone (2026-03-01T12:00:00Z), 'now' or 'now-2h'. --canary and --baseline are target group ARNs (CloudWatch,
with --load-balancer-arn) or, for Prometheus, ARNs or the names {{canary}} and {{baseline}} stand for.
The interval is one bake: bake-time must fit in it, and an undecided end is on-inconclusive's.

Sweep (--sweep): runs the gates over every finished deployment of an environment in the GitHub
Deployments history (record-deployment's), from its start to its end, on the target groups its rollout
state names (or --canary/--baseline, needed when the record was started before the first shift), and
prints a table: what happened (succeeded, rolled back, failed), whether the gates would have stopped it
or let it pass, and the detection time; --json prints rows and counts. Needs GITHUB_TOKEN (or GH_TOKEN).

Options:
  --trace              the trace file to replay
  --source             cloudwatch or prometheus: the metrics to backtest on
  --from, --to         the interval to backtest
  --canary, --baseline the canary and baseline target groups (or Prometheus names)
  --load-balancer-arn  the ALB (CloudWatch)
  --aws-region         the region of the ALB's metrics (default AWS_REGION)
  --out                where to write the backtest's trace (default shiftgate-backtest.json)
  --sweep, --repo, --environment, --limit, --json   the sweep (see above)
  --config             the config file whose prometheus.queries to use (default .github/shiftgate.yml)
${settingLines()}

Environment: SHIFTGATE_PROMETHEUS_TOKEN, SHIFTGATE_PROMETHEUS_PASSWORD (instead of the flags).

Exit codes: 0 judged (whatever the decision), 1 the metrics could not be read, 2 invalid trace, file,
flags or query.`;
  },
  async run(argv, io) {
    const { values } = parseFlags('judge', argv, {
      trace: { type: 'string' },
      ...BACKTEST_FLAGS,
      ...SETTING_FLAGS,
    });
    if (values.trace !== undefined && (values.source !== undefined || values.sweep))
      throw new UsageError('--trace replays a trace file; it cannot be combined with --source or --sweep');
    if (values.sweep) return runSweep(values, io);
    if (values.source !== undefined) return runBacktest(values, io);
    const extra = Object.keys(values).find(
      (k) => k !== 'trace' && values[k as keyof typeof values] !== undefined,
    );
    if (extra) throw new UsageError(`--${extra} only applies to a backtest (--source) or a sweep (--sweep)`);
    if (!values.trace)
      throw new UsageError("missing --trace <file> (or --source to backtest). See 'shiftgate judge --help'.");
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, values.trace), 'utf8');
    } catch (error) {
      throw new UsageError(
        `cannot read --trace ${values.trace}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    const trace = parseTrace(text, values.trace);
    const judgement = replay(trace.gates, trace.windows, traceJudgeOptions(trace));
    io.stdout(
      `${JSON.stringify({ decision: judgement.decision, decidedAtWindow: judgement.decidedAtWindow, checks: judgement.checks }, null, 2)}\n`,
    );
    return EXIT.ok;
  },
};
