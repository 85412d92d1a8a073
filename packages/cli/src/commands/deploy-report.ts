// What `shiftgate deploy` prints and writes when a run ends: the state file, the report directory, and
// the summary lines or the --json document.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  describeSplit,
  planWaves,
  renderRunReport,
  serializeRolloutState,
  type RunResult,
} from '@shiftgate/core';
import { EXIT, type Io } from '../command';
import type { FlagStepReport } from '../flag-support';

/** `--report <dir>`: the run as a page of the dashboard's site and as Markdown with SVG chart files. */
function writeReport(dir: string, result: RunResult): void {
  const files = renderRunReport({
    name: 'report',
    title: `shiftgate deploy: ${result.state.strategy}`,
    intro: [
      `Version ${result.state.version ?? '(not named)'}, environment ${result.state.environment ?? '(not named)'}.`,
    ],
    runs: [
      {
        title: `${result.state.strategy} rollout`,
        verdict: result.reason,
        state: result.state,
        trace: result.trace,
      },
    ],
    generatedAt: Date.now(),
  });
  mkdirSync(dir, { recursive: true });
  for (const file of files) writeFileSync(join(dir, file.path), file.content);
}

/** `waves` (cell names per wave, in order) and `cells` (name → region, zone, wave, status). */
function cellReport(result: RunResult): { waves: string[][]; cells: Record<string, unknown> } {
  return {
    waves: planWaves(result.state.plan),
    cells: Object.fromEntries(
      Object.entries(result.state.cells!).map(([name, c]) => [
        name,
        { region: c.region, zone: c.zone, wave: c.wave, status: c.status },
      ]),
    ),
  };
}

/** Writes what the flags ask for and prints the outcome; returns the exit code. */
export function report(
  result: RunResult,
  values: Record<string, unknown>,
  io: Io,
  flags?: FlagStepReport[],
): number {
  if (typeof values['state-out'] === 'string') {
    writeFileSync(resolve(io.cwd, values['state-out']), `${serializeRolloutState(result.state)}\n`);
  }
  if (typeof values.report === 'string') writeReport(resolve(io.cwd, values.report), result);
  const code =
    !result.restored ||
    result.cancelled ||
    result.decision === 'rollback' ||
    result.decision === 'inconclusive'
      ? EXIT.failed
      : EXIT.ok;
  if (values.json) {
    io.stdout(
      `${JSON.stringify(
        {
          decision: result.decision,
          reason: result.reason,
          cancelled: result.cancelled,
          restored: result.restored,
          weights: result.weights,
          ...(result.trace.saga
            ? { services: result.trace.saga.services, compensated: result.trace.saga.compensated }
            : {}),
          ...(result.trace.comparison ? { comparison: result.trace.comparison } : {}),
          ...(result.trace.rule ? { rule: result.trace.rule } : {}),
          ...(flags ? { flags } : {}),
          ...(result.state.cells ? cellReport(result) : {}),
          state: result.state,
          trace: result.trace,
        },
        null,
        2,
      )}\n`,
    );
    return code;
  }
  const lines = [
    '',
    /^(promoted|paused|rollback|inconclusive|cancelled)\b/.test(result.reason)
      ? result.reason
      : `${result.decision}: ${result.reason}`,
    `status ${result.state.status}, step ${result.state.step} of ${result.state.plan.length}${
      result.state.weights ? `, traffic ${describeSplit(result.state.weights)}` : ''
    }`,
  ];
  if (result.state.cells) {
    const cells = Object.values(result.state.cells);
    const count = (status: string) => cells.filter((c) => c.status === status).length;
    lines.push(
      `cells: ${count('promoted')} promoted, ${count('rolled-back')} rolled back, ${count('in-progress')} left in progress, ${count('untouched')} untouched (of ${cells.length})`,
    );
  }
  for (const f of flags ?? [])
    lines.push(
      `flag ${f.exposure}%: ${f.provider} deployment #${f.deployment} (version ${f.version}) ${f.state}, ${f.outcome}`,
    );
  if (typeof values['state-out'] === 'string') lines.push(`state written to ${values['state-out']}`);
  // Not path.join with a file name: the bundler would take it for an asset to copy.
  if (typeof values.report === 'string')
    lines.push(`report written to ${values.report} (report.md, report.html)`);
  io.stdout(`${lines.join('\n')}\n`);
  return code;
}
