import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli';

const AB = ['deploy', '--simulate', '--strategy', 'ab-testing', '--param', 'duration=1h', '--json'];

describe('shiftgate deploy --simulate, A/B test', () => {
  it.each([
    ['better', 'b-better'],
    ['worse', 'a-better'],
    ['+5%', 'no-detectable-difference'],
  ])('pauses for approval with the verdict when B is %s', async (effect, verdict) => {
    const { code, stdout } = await cli([...AB, '--b-effect', effect]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as {
      decision: string;
      reason: string;
      comparison: { verdict: string; metrics: { metric: string; a: number; b: number; interval: object }[] };
    };
    expect(doc.decision).toBe('paused');
    expect(doc.comparison.verdict).toBe(verdict);
    expect(doc.comparison.metrics[0]).toMatchObject({ metric: 'error-rate' });
    expect(doc.comparison.metrics[0]!.interval).toEqual({
      lower: expect.any(Number),
      upper: expect.any(Number),
    });
    expect(doc.reason).toMatch(/for approval: .* A\/B verdict: /);
  });

  it('rolls back at once on a health breach, with no verdict', async () => {
    const { code, stdout } = await cli([
      ...AB,
      '--scenario',
      'step-regression',
      '--at',
      '5',
      '--b-effect',
      'better',
    ]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as { decision: string; comparison?: unknown };
    expect(doc.decision).toBe('rollback');
    expect(doc.comparison).toBeUndefined();
  });

  it.each([
    [['--b-effect', 'much'], /Input '--b-effect' must be 'better', 'worse', 'none' or a signed change/],
    [['--b-effect=-95%'], /from -90% to \+400%/],
  ])('refuses %j', async (extra, message) => {
    const { code, stderr } = await cli([...AB, ...extra]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('refuses --b-effect for a plan that is not an A/B test', async () => {
    const { code, stderr } = await cli([
      'deploy',
      '--simulate',
      '--strategy',
      'canary',
      '--b-effect',
      'better',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--b-effect only applies to an A\/B test/);
  });
});

describe('shiftgate deploy --simulate, A/B test over error rate, slow share and custom metrics', () => {
  const METRICS =
    '--ab-metrics=[{name: orders, better: higher, namespace: Shop, metric: OrdersPlaced}, {name: refunds, better: lower, namespace: Shop, metric: Refunds}]';
  type Doc = {
    decision: string;
    comparison: {
      verdict: string;
      metrics: { metric: string; better: string; verdict: string; effect: number }[];
    };
    rule?: { arn: string; priority: number; conditions: unknown };
    state: { status: string };
  };

  it.each([
    ['better', 'b-better'],
    ['worse', 'a-better'],
    ['none', 'no-detectable-difference'],
  ])('compares every metric, each in its own better direction, when B is %s', async (effect, verdict) => {
    const { code, stdout } = await cli([...AB, '--b-effect', effect, METRICS]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as Doc;
    expect(doc.decision).toBe('paused');
    expect(doc.comparison.metrics.map((m) => [m.metric, m.better])).toEqual([
      ['error-rate', 'lower'],
      ['slow-share', 'lower'],
      ['orders', 'higher'],
      ['refunds', 'lower'],
    ]);
    const custom = doc.comparison.metrics.filter((m) => m.metric === 'orders' || m.metric === 'refunds');
    expect(custom.map((m) => m.verdict)).toEqual([verdict, verdict]);
    expect(doc.comparison.verdict).toBe(verdict);
    // More orders and fewer refunds when B is better: effects point in each metric's better direction.
    if (effect === 'better') expect([custom[0]!.effect > 0, custom[1]!.effect < 0]).toEqual([true, true]);
  });

  it('routes an audience with one rule, reported with its conditions, and leaves none behind on rollback', async () => {
    const { code, stdout } = await cli([
      ...AB,
      '--param',
      'audience=header:X-Experiment=b; cookie:exp=on',
      '--b-effect',
      'better',
      METRICS,
    ]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as Doc;
    expect(doc.rule).toMatchObject({
      priority: 1,
      conditions: [
        { field: 'http-header', name: 'X-Experiment', values: ['b'] },
        { field: 'cookie', name: 'exp', values: ['on'] },
      ],
    });
    expect(doc.comparison.verdict).toBe('b-better');
  });

  it('refuses bad ab-metrics before anything moves, naming the input and the metric', async () => {
    const { code, stderr, stdout } = await cli([
      ...AB,
      '--ab-metrics=[{name: error-rate, better: higher, namespace: Shop, metric: X}]',
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/Input 'ab-metrics'.*metric 'error-rate': 'error-rate' is always compared/);
  });
});
