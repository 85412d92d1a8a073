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

  describe('with PromQL metric-queries, answered as the CloudWatch simulation answers them', () => {
    const QUERY =
      '--metric-queries=[{id: cpu, query: \'avg(rate(process_cpu_seconds_total{job="{{canary}}"}[{{window}}]))\', max: 0.8}]';
    type Doc = {
      decision: string;
      reason: string;
      trace: { steps: { health?: { checks: { name: string; phase: string; observed: number | null }[] } }[] };
    };

    it('promotes a healthy canary with the query inside its limit', async () => {
      const run = await deploy('--scenario', 'healthy', QUERY);
      const doc = JSON.parse(run.stdout) as Doc;
      expect(doc.decision).toBe('promote');
      expect(run.code).toBe(0);
      const cpu = doc.trace.steps
        .flatMap((s) => s.health?.checks ?? [])
        .filter((c) => c.name === 'metric-queries.cpu');
      expect(cpu.length).toBeGreaterThan(0);
      for (const c of cpu)
        expect(c).toMatchObject({ phase: 'Successful', observed: expect.closeTo(0.48, 1) });
    });

    it('rolls back a regression on the query when the built-in gates are set aside', async () => {
      const run = await deploy(
        '--scenario',
        'step-regression',
        QUERY,
        '--max-error-rate=50%',
        '--max-latency-increase=1000%',
        '--max-p99-latency=100000',
      );
      const doc = JSON.parse(run.stdout) as Doc;
      expect(run.code).toBe(1);
      expect(doc.reason).toMatch(/^rollback: cpu \S+ .*> metric-queries\.cpu max 0\.8/);
    });
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
