import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '@shiftgate/cli';

const dir = mkdtempSync(join(tmpdir(), 'shiftgate-judge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function judge(trace: unknown) {
  const file = join(dir, `trace-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof trace === 'string' ? trace : JSON.stringify(trace));
  let stdout = '';
  let stderr = '';
  const code = await main(['judge', '--trace', file], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTty: false,
    env: {},
    cwd: dir,
  });
  return { code, stdout, stderr, file };
}

const good = { requests: 61, errors: 0, p99: 212, healthy: 2, unhealthy: 0 };
const base = { requests: 1158, errors: 3, p99: 205, healthy: 18, unhealthy: 0 };
const GATES = {
  'max-error-rate': '1%',
  'max-p99-latency': '500ms',
  'max-latency-increase': '20%',
  'min-healthy-percent': '95%',
  'min-requests': 200,
  'bake-time': '10m',
};

describe('shiftgate judge --trace', () => {
  it('replays the documented format and prints one JSON object', async () => {
    const run = await judge({
      period: '60s',
      gates: GATES,
      windows: Array.from({ length: 12 }, () => ({ canary: good, baseline: base })),
    });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      decision: string;
      decidedAtWindow: number;
      checks: Array<{ name: string; phase: string }>;
    };
    expect(Object.keys(out)).toEqual(['decision', 'decidedAtWindow', 'checks']);
    expect(out.decision).toBe('promote');
    expect(out.decidedAtWindow).toBe(9);
    expect(out.checks.map((c) => c.phase)).toEqual(out.checks.map(() => 'Successful'));
  });

  it('reports the window at which a regression was rolled back', async () => {
    const bad = { ...good, requests: 50, errors: 4 };
    const run = await judge({
      period: '60s',
      windows: [
        { canary: good, baseline: base },
        { canary: bad, baseline: base },
        { canary: bad, baseline: base },
      ],
    });
    const out = JSON.parse(run.stdout) as { decision: string; decidedAtWindow: number };
    expect(out).toMatchObject({ decision: 'rollback', decidedAtWindow: 2 });
  });

  it('reads null sides as no data and applies on-inconclusive at the end of the evidence', async () => {
    const run = await judge({
      period: '60s',
      gates: { 'on-inconclusive': 'fail' },
      windows: [{ canary: null, baseline: base }, { baseline: base }],
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ decision: 'inconclusive', decidedAtWindow: null });
  });

  it.each([
    ['not JSON', '{', /^shiftgate judge: Trace .* is invalid: it is not JSON/],
    [
      'a bad gate',
      { period: '60s', gates: { 'max-error-rate': '1O%' }, windows: [] },
      /is invalid: 'gates.max-error-rate' must be a percentage between 0% and 100%, got '1O%'\n$/,
    ],
    [
      'an unknown gate',
      { period: '60s', gates: { 'max-errors': 1 }, windows: [] },
      /is invalid: unknown gate 'gates.max-errors'/,
    ],
    [
      'errors above requests',
      { period: '60s', windows: [{ canary: { requests: 2, errors: 3 } }] },
      /is invalid: 'windows\[0\].canary.errors' \(3\) must not exceed 'windows\[0\].canary.requests' \(2\)\n$/,
    ],
    [
      'a negative p99',
      { period: '60s', windows: [{ canary: { p99: -1 } }] },
      /is invalid: 'windows\[0\].canary.p99' must be a number of milliseconds of at least 0 or null, got -1\n$/,
    ],
    [
      'a bad period',
      { period: '60', windows: [] },
      /is invalid: 'period' must be a duration such as '90s', '5m' or '1h30m', got '60'\n$/,
    ],
    ['no windows', { period: '60s' }, /is invalid: 'windows' must be a list, got nothing\n$/],
  ])('exits 2 on %s, naming the problem', async (_what, trace, message) => {
    const run = await judge(trace);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 when the file cannot be read', async () => {
    let stderr = '';
    const code = await main(['judge', '--trace', 'missing.json'], {
      stdout: () => {},
      stderr: (t) => (stderr += t),
      isTty: false,
      env: {},
      cwd: dir,
    });
    expect(code).toBe(2);
    expect(stderr).toBe('shiftgate judge: cannot read --trace missing.json: ENOENT\n');
  });
});
