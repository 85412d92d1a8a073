// `shiftgate judge --source cloudwatch`: the backtest through the real CloudWatch client against the
// loopback CloudWatch fake, fed by the simulator's model with the canary at 20% (issue 15).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrafficModel } from '@shiftgate/cli';
import { cli } from '../support/cli';
import { CANARY, LB, STABLE, useAlbFakes } from '../support/alb-fakes';
import { modelMetrics } from '../support/model-metrics';

const MIN = 60_000;
const fakes = useAlbFakes();
// An hour ago, so the whole interval is in the past.
const START = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;
const saved = { ...process.env };

function feed(scenario: 'healthy' | 'step-regression') {
  fakes.cloudwatch.metrics = modelMetrics({
    model: new TrafficModel({ seed: 9, start: START, scenario, at: 10 }),
    pair: { stable: STABLE, canary: CANARY },
    weights: () => [
      { 'target-group-arn': STABLE, weight: 80 },
      { 'target-group-arn': CANARY, weight: 20 },
    ],
  });
}

beforeEach(() => {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_CLOUDWATCH: fakes.cloudwatch.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
    AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterEach(() => {
  process.env = { ...saved };
});

const judge = (dir: string) =>
  cli(
    [
      'judge',
      '--source',
      'cloudwatch',
      '--load-balancer-arn',
      LB,
      '--canary',
      CANARY,
      '--baseline',
      STABLE,
      '--from',
      new Date(START).toISOString(),
      '--to',
      new Date(START + 40 * MIN).toISOString(),
      '--bake-time',
      '30m',
      '--out',
      join(dir, 'trace.json'),
    ],
    { env: { AWS_REGION: 'us-east-1' } },
  );

describe('shiftgate judge --source cloudwatch', () => {
  it('promotes a healthy interval, one GetMetricData call per window', async () => {
    feed('healthy');
    const run = await judge(mkdtempSync(join(tmpdir(), 'shiftgate-cw-backtest-')));
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ decision: 'promote' });
    const calls = fakes.cloudwatch.calls('GetMetricData').length;
    expect(calls).toBeGreaterThanOrEqual(30);
    expect(calls).toBeLessThanOrEqual(40);
  });

  it('stops the regression at the window it starts in, or within two after', async () => {
    feed('step-regression');
    const run = await judge(mkdtempSync(join(tmpdir(), 'shiftgate-cw-backtest-')));
    const result = JSON.parse(run.stdout) as { decision: string; decidedAt: string };
    expect(result.decision).toBe('rollback');
    expect(Date.parse(result.decidedAt)).toBeGreaterThanOrEqual(START + 10 * MIN);
    expect(Date.parse(result.decidedAt)).toBeLessThanOrEqual(START + 12 * MIN);
  });
});
