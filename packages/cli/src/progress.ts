import {
  describeStep,
  fmtPct,
  formatDuration,
  formatLatency,
  progressLine,
  type RunEvent,
} from '@shiftgate/core';
import type { Io } from './command';

const BAR = 24;

/** `[██████░░░░░░]` for a fraction from 0 to 1. */
export function bar(fraction: number, width = BAR): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/**
 * Shows a run as it goes: on a terminal, one progress bar per bake redrawn in place; elsewhere (CI, pipes,
 * files) one plain line per step and per poll, so logs read top to bottom. `prefix` goes before every line.
 */
export function progressReporter(
  io: Io,
  options: { prefix?: string; clock?: { now(): number } } = {},
): (event: RunEvent) => void {
  const prefix = options.prefix ?? '';
  const stamp = () => (options.clock ? `${new Date(options.clock.now()).toISOString().slice(11, 16)} ` : '');
  let open = false;
  const line = (text: string) => {
    if (open) {
      io.stdout('\n');
      open = false;
    }
    io.stdout(`${prefix}${stamp()}${text}\n`);
  };
  return (event) => {
    switch (event.type) {
      case 'step-start':
        line(`step ${event.index + 1}/${event.total}: ${describeStep(event.step)}`);
        return;
      case 'poll': {
        const { judgement, trace } = event.report;
        if (event.report.poll === 0 && judgement.decision === null) return;
        if (io.isTty) {
          const check = (name: string) => judgement.checks.find((c) => c.name === name)?.observed ?? null;
          const errors = check('max-error-rate');
          const p99 = check('max-p99-latency');
          const requests = check('min-requests');
          const fraction = trace.gates.bakeTime === 0 ? 1 : judgement.elapsed / trace.gates.bakeTime;
          const slow = judgement.checks.find((c) => c.name === 'max-p99-latency')?.slowShare;
          const text = `  ${bar(fraction)} ${formatDuration(judgement.elapsed).padStart(5)}/${formatDuration(trace.gates.bakeTime)}  ${requests ?? 0} req  err ${errors === null ? '–' : fmtPct(errors)}  p${trace.gates.latencyPercentile} ${p99 === null ? '–' : formatLatency(p99)}${typeof slow === 'number' ? ` (${fmtPct(slow)} slower)` : ''}`;
          io.stdout(`\r\x1b[2K${prefix}${text}`);
          open = true;
          if (judgement.decision !== null) line(`  ${judgement.message}`);
        } else {
          line(`  ${progressLine(judgement, trace)}`);
        }
        return;
      }
      case 'retry':
        line(`  provider error, retrying in ${formatDuration(event.waitMs)}: ${event.error}`);
        return;
      case 'step-end':
        if (event.record.kind !== 'bake') line(`  ${event.record.outcome}: ${event.record.message}`);
        else if (event.record.outcome !== 'passed' || !io.isTty) line(`  ${event.record.outcome}`);
        return;
      case 'rollback':
        line(`rolling back: ${event.reason.replace(/^rollback: /, '')}`);
        return;
      case 'rolled-back':
        for (const r of event.record.routes)
          line(`  ${r.route}: ${r.changed ? 'restored' : 'already restored'} (verified)`);
        for (const undo of event.record.undo) line(`  ${undo}`);
        if (event.record.error) line(`  NOT RESTORED: ${event.record.error}`);
        return;
    }
  };
}
