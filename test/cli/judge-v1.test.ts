// Traces written by the v1 judge (no `version`, no `over` counts, no error budget) still replay with
// `shiftgate judge --trace`. The fixtures are health documents from the committed v1 CLI
// (`shiftgate deploy --simulate`); a verdict that changes on replay is listed in the issue note.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '@shiftgate/cli';
import { parseTrace } from '@shiftgate/core';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'traces');

async function judge(name: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(['judge', '--trace', name], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTty: false,
    env: {},
    cwd: fixtures,
  });
  return {
    code,
    stderr,
    out: JSON.parse(stdout || '{}') as { decision: string; checks: { name: string; message: string }[] },
  };
}

describe('shiftgate judge --trace with version 1 traces', () => {
  it('parses them as they were written: no version, budget or horizon, no over counts', () => {
    const trace = parseTrace(readFileSync(join(fixtures, 'v1-linear-inconclusive.json'), 'utf8'));
    expect(trace.alpha).toBeUndefined();
    expect(trace.horizon).toBeUndefined();
    expect(trace.windows.every((w) => !('error' in w) && !('over' in w.canary!))).toBe(true);
  });

  it('still rolls back the step regression v1 rolled back', async () => {
    const run = await judge('v1-canary-step-regression.json');
    expect(run.code).toBe(0);
    expect(run.out.decision).toBe('rollback');
    expect(run.out.checks.find((c) => c.name === 'max-error-rate')!.message).toMatch(/: rollback$/);
  });

  it('promotes the healthy linear bake v1 ended inconclusive (p99 +20.4% without confidence)', async () => {
    const doc = JSON.parse(readFileSync(join(fixtures, 'v1-linear-inconclusive.json'), 'utf8')) as {
      decision: string;
      message: string;
    };
    expect(doc.decision).toBe('rollback');
    expect(doc.message).toMatch(/^inconclusive after 5m \(on-inconclusive: rollback\)/);
    const run = await judge('v1-linear-inconclusive.json');
    expect(run.code).toBe(0);
    // v2: no breach found by max-bake-time with enough requests is a pass.
    expect(run.out.decision).toBe('promote');
    expect(run.out.checks.find((c) => c.name === 'max-latency-increase')!.message).toMatch(
      /^canary p99 \+20\.4% vs baseline \(median of 5 windows, 3 above\) > max-latency-increase 20% without 98\.75% confidence .*: no breach found by max-bake-time: pass$/,
    );
  });
});
