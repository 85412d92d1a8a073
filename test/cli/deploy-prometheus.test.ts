// `shiftgate deploy --simulate --metric-source prometheus`: the real Prometheus source (templates, HTTP
// client, bucket maths) over the simulator's in-process Prometheus API.
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli';

const deploy = (...args: string[]) =>
  cli(['deploy', '--simulate', '--strategy', 'canary', '--metric-source', 'prometheus', '--json', ...args]);

describe('shiftgate deploy --simulate --metric-source prometheus', () => {
  it('promotes a healthy canary on Prometheus evidence', async () => {
    const run = await deploy('--scenario', 'healthy');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ decision: 'promote' });
  });

  it('rolls back a step regression on the error rate it reads from the counters', async () => {
    const run = await deploy('--scenario', 'step-regression', '--at', '2');
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as { decision: string; reason: string };
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(/error rate/);
  });

  it('rides out throttled range queries with the client retries', async () => {
    const run = await deploy('--scenario', 'healthy', '--fault', 'throttle:metrics:3');
    expect(JSON.parse(run.stdout)).toMatchObject({ decision: 'promote' });
  });

  it('reads a template that selects nothing as no data, which never promotes', async () => {
    const run = await deploy(
      '--scenario',
      'healthy',
      '--prometheus-queries',
      'requests: sum(increase(other_requests_total{job="{{canary}}"}[{{window}}]))',
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).not.toMatchObject({ decision: 'promote' });
  });
});
