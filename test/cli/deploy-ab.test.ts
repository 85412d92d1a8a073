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
    [['--b-effect', 'much'], /Input '--b-effect' must be 'better', 'worse' or a signed change/],
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
