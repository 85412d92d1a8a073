// A smoke test of the whole-plan bench's engine (a few seeds): the numbers live in `npm run bench:plans`.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@shiftgate/cli';
import { SCENARIOS } from '../../../bench/plans/scenarios';
import { alarm, naive, playPlan, shiftgate } from '../../../bench/plans/simulate';

const scenario = (prefix: string) => SCENARIOS.find((s) => s.name.startsWith(prefix))!;

describe('the plan bench engine', () => {
  it('promotes a healthy canary plan through every bake with shiftgate’s judge', async () => {
    const out = await playPlan({
      strategy: 'canary',
      scenario: scenario('healthy, 1,000'),
      seed: 1,
      policy: shiftgate,
      random: mulberry32(1),
    });
    expect(out).toMatchObject({ promoted: true, detection: null, onsetSeen: false });
    // Three bakes of at least 5 one-minute windows, one poll each.
    expect(out.polls).toBeGreaterThanOrEqual(15);
  });

  it('rolls back a 5× error regression and times onset → traffic restored, for every policy', async () => {
    for (const policy of [shiftgate, naive, alarm]) {
      const out = await playPlan({
        strategy: 'blue-green',
        scenario: scenario('step: errors 5×'),
        seed: 2,
        policy,
        random: mulberry32(2),
      });
      expect(out.promoted).toBe(false);
      expect(out.onsetSeen).toBe(true);
      // At least one window and the 90 s publication delay after the onset.
      expect(out.detection).toBeGreaterThanOrEqual(2.5);
    }
  });
});
