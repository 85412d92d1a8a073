// The Prometheus source and the backtest against the real `prometheus` binary (issue 15), over the
// simulator's deterministic series loaded with promtool. Skipped, with one line saying so, on a machine
// without the binary; .ci/run installs it so CI always runs these.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusMetricSource, PrometheusQueryError } from '@shiftgate/aws';
import { TrafficModel } from '@shiftgate/cli';
import {
  createDeploymentRecord,
  createPayload,
  createRolloutState,
  parseSourceSettings,
  type RolloutState,
} from '@shiftgate/core';
import { cli } from '../support/cli';
import { GitHubServer } from '../support/github-server';
import {
  FIXTURE_SERVICES,
  FIXTURE_START,
  HAVE_PROMETHEUS,
  minute,
  REGRESSION_AT,
  startPrometheus,
  warnSkipped,
  type RealPrometheus,
} from './harness';

warnSkipped();

const TG = (name: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/73e2d6bc24d8a067`;
const iso = (ms: number) => new Date(ms).toISOString();
/** Gates the fixture is judged with: a 30-minute bake at the defaults, 200 canary requests. */
const GATES = ['--bake-time', '30m', '--min-requests', '200'];

describe.skipIf(!HAVE_PROMETHEUS)('against the real Prometheus', () => {
  let prometheus: RealPrometheus;
  let dir: string;
  beforeAll(async () => {
    prometheus = await startPrometheus();
    dir = mkdtempSync(join(tmpdir(), 'shiftgate-backtest-'));
  });
  afterAll(() => prometheus?.stop());

  const source = (canary: string, baseline: string, extra: Record<string, string> = {}) => {
    const settings = parseSourceSettings(
      (name) => ({ 'metric-source': 'prometheus', 'prometheus-url': prometheus.url, ...extra })[name] ?? '',
    );
    if (settings.kind !== 'prometheus') throw new Error('not prometheus');
    return createPrometheusMetricSource(settings, { canary, baseline, period: 60_000, slowThreshold: 500 });
  };
  const backtest = (args: string[]) =>
    cli(['judge', '--source', 'prometheus', '--prometheus-url', prometheus.url, ...args], { cwd: dir });

  it('reads each window as the simulator counted it: requests, 5xx, hosts', async () => {
    const windows = await source('regress-canary', 'regress-stable').windows({
      start: minute(18),
      end: minute(23),
    });
    expect(windows).toHaveLength(5);
    const model = new TrafficModel({
      seed: 2,
      start: FIXTURE_START,
      scenario: 'step-regression',
      at: REGRESSION_AT,
    });
    model.setShare(FIXTURE_START, FIXTURE_SERVICES[1]!.share);
    windows.forEach((w, i) => {
      const m = model.minute('canary', minute(18 + i));
      const b = model.minute('baseline', minute(18 + i));
      expect(w.start).toBe(iso(minute(18 + i)));
      expect(w.canary).toMatchObject({ requests: m.requests, errors: m.errors, healthy: 4, unhealthy: 0 });
      expect(w.baseline).toMatchObject({ requests: b.requests, errors: b.errors, healthy: 10, unhealthy: 0 });
      expect(w.canary!.p99).toBeGreaterThan(0);
    });
  });

  it('backtests a healthy interval to promote, and the trace it writes replays to the same verdict', async () => {
    const out = join(dir, 'healthy.json');
    const run = await backtest([
      '--from',
      iso(minute(0)),
      '--to',
      iso(minute(45)),
      '--canary',
      TG('healthy-canary'),
      '--baseline',
      TG('healthy-stable'),
      '--out',
      out,
      ...GATES,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { decision: string; windows: number };
    expect(result).toMatchObject({ decision: 'promote', windows: 45 });
    const replayed = await cli(['judge', '--trace', out]);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ decision: 'promote' });
  });

  it('stops an interval with a regression at the window it begins in, or within two after', async () => {
    const out = join(dir, 'regress.json');
    const run = await backtest([
      '--from',
      iso(minute(0)),
      '--to',
      iso(minute(45)),
      '--canary',
      'regress-canary',
      '--baseline',
      'regress-stable',
      '--out',
      out,
      ...GATES,
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      decision: string;
      decidedAtWindow: number;
      decidedAt: string;
      detectionMs: number;
      message: string;
    };
    expect(result.decision).toBe('rollback');
    expect(Date.parse(result.decidedAt)).toBeGreaterThanOrEqual(minute(REGRESSION_AT));
    expect(Date.parse(result.decidedAt)).toBeLessThanOrEqual(minute(REGRESSION_AT + 2));
    expect(result.detectionMs).toBe(Date.parse(result.decidedAt) + 60_000 - minute(0));
    expect(result.message).toMatch(/error rate/);
    const replayed = JSON.parse((await cli(['judge', '--trace', out])).stdout) as Record<string, unknown>;
    expect(replayed).toMatchObject({ decision: 'rollback', decidedAtWindow: result.decidedAtWindow });
    // Before the regression the same canary passes.
    const before = await backtest([
      '--from',
      iso(minute(0)),
      '--to',
      iso(minute(REGRESSION_AT)),
      '--canary',
      'regress-canary',
      '--baseline',
      'regress-stable',
      '--out',
      join(dir, 'before.json'),
      '--bake-time',
      '15m',
      '--min-requests',
      '200',
    ]);
    expect(JSON.parse(before.stdout)).toMatchObject({ decision: 'promote' });
  });

  it('reads a series that does not exist as no data, never as a pass', async () => {
    const windows = await source('nobody-canary', 'healthy-stable').windows({
      start: minute(5),
      end: minute(8),
    });
    expect(windows.map((w) => w.canary)).toEqual([null, null, null]);
    expect(windows.every((w) => w.baseline !== null && w.baseline.requests! > 0)).toBe(true);
    const run = await backtest([
      '--from',
      iso(minute(0)),
      '--to',
      iso(minute(40)),
      '--canary',
      'nobody-canary',
      '--baseline',
      'healthy-stable',
      '--out',
      join(dir, 'missing.json'),
      ...GATES,
    ]);
    const result = JSON.parse(run.stdout) as { decision: string; message: string };
    expect(result.decision).not.toBe('promote');
    expect(result.message).toMatch(/no data|requests/);
  });

  it('refuses a bad PromQL with an error naming the query, and reads nothing more', async () => {
    const bad = source('healthy-canary', 'healthy-stable', {
      'prometheus-queries':
        'errors: sum(increase(http_requests_total{job="{{canary}}",code=~"5.."}[{{window}}])',
    });
    const error = await bad.windows({ start: minute(5), end: minute(6) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrometheusQueryError);
    expect((error as Error).message).toMatch(
      /the errors \((canary|baseline)\) query as invalid PromQL: .*parse error/,
    );
    expect((error as Error).message).toMatch(
      /; query: sum\(increase\(http_requests_total\{job="healthy-(canary|stable)"/,
    );
    const run = await backtest([
      '--from',
      iso(minute(0)),
      '--to',
      iso(minute(10)),
      '--canary',
      'healthy-canary',
      '--baseline',
      'healthy-stable',
      '--metric-queries=- id: ratio\n  query: sum(rate(http_requests_total{job="{{canary}}"}[{{window}}]) / \n  max: 5',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /Input 'metric-queries': Prometheus refused the custom query 'ratio' query as invalid PromQL/,
    );
  });

  it('judges a custom PromQL query with its threshold', async () => {
    const query = (max: number) =>
      `- id: err5xx\n  query: 'sum(increase(http_requests_total{job="{{canary}}",code="500"}[{{window}}]))'\n  max: ${max}`;
    const run = (max: number) =>
      backtest([
        '--from',
        iso(minute(15)),
        '--to',
        iso(minute(50)),
        '--canary',
        'regress-canary',
        '--baseline',
        'regress-stable',
        '--out',
        join(dir, 'custom.json'),
        ...GATES,
        '--max-error-rate',
        '50%',
        '--max-latency-increase',
        '1000%',
        `--metric-queries=${query(max)}`,
      ]);
    const strict = JSON.parse((await run(5)).stdout) as { decision: string; message: string };
    expect(strict.decision).toBe('rollback');
    expect(strict.message).toMatch(/err5xx/);
    const trace = JSON.parse(readFileSync(join(dir, 'custom.json'), 'utf8')) as {
      windows: { custom?: Record<string, number | null> }[];
    };
    expect(trace.windows.some((w) => (w.custom?.err5xx ?? 0) > 5)).toBe(true);
  });

  describe('--sweep over the Deployments history', () => {
    let github: GitHubServer;
    beforeAll(async () => {
      github = await GitHubServer.start({ token: 'ghp_sweep' });
      const deploy = (
        version: string,
        service: string,
        from: number,
        to: number,
        outcome: 'success' | 'failure',
      ) => {
        const state: RolloutState = {
          ...createRolloutState({ strategy: 'canary', parameters: {}, plan: [], now: new Date(from) }),
          'stable-target-group-arn': TG(`${service}-stable`),
          'canary-target-group-arn': TG(`${service}-canary`),
        };
        const record = createDeploymentRecord({
          id: `00000000-0000-4000-8000-00000000000${version.length}`,
          version,
          environment: 'production',
          strategy: 'canary',
          ref: 'main',
          startedAt: from,
        });
        github.seedDeployment({
          environment: 'production',
          payload: createPayload(record, state),
          created_at: iso(from),
          statuses: [
            {
              state: outcome,
              created_at: iso(to),
              description: outcome === 'success' ? 'Deployed' : 'Rolled back: 5xx',
            },
          ],
        });
      };
      deploy('v1.0.0', 'healthy', minute(0), minute(40), 'success');
      deploy('v1.1.0', 'regress', minute(0), minute(40), 'failure');
    });
    afterAll(() => github?.close());

    it('prints what happened and what the gates would have done, with detection time', async () => {
      const env = { GITHUB_TOKEN: 'ghp_sweep', GITHUB_API_URL: github.url };
      const args = [
        'judge',
        '--sweep',
        '--source',
        'prometheus',
        '--prometheus-url',
        prometheus.url,
        '--repo',
        'acme/shop',
        '--environment',
        'production',
        ...GATES,
      ];
      const table = await cli(args, { env, cwd: dir });
      expect(table.stderr).toBe('');
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/v1\.0\.0\s+succeeded\s+would have passed/);
      expect(table.stdout).toMatch(/v1\.1\.0\s+failed\s+would have stopped\s+2\d(\.\d)?m/);
      expect(table.stdout).toContain(
        'of 1 rolled back or failed, the gates would have stopped 1; of 1 that succeeded, they would have stopped 0.',
      );
      const json = JSON.parse((await cli([...args, '--json'], { env, cwd: dir })).stdout) as {
        summary: Record<string, number>;
      };
      expect(json.summary).toMatchObject({ judged: 2, caught: 1, 'false-stops': 0 });
    });
  });
});
