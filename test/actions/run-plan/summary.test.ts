// run-plan's job summary escapes every text that comes from a state, a provider or a command.
import { buildPlan, createRolloutState, type RunResult } from '@shiftgate/core';
import { describe, it } from 'vitest';
import { runSummary } from '../../../actions/run-plan/src/summary';
import { expectInert } from '../../support/hostile';

const STABLE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1';
const CANARY = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2';
const ROUTE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/1/2';

function result(text: string, where: 'reason' | 'message' | 'hook' | 'undo' | 'error'): RunResult {
  const plan = buildPlan('feature-flag', { 'flag-command': './flag.sh' });
  const state = createRolloutState({
    strategy: 'feature-flag',
    parameters: plan.parameters,
    plan: plan.steps,
    now: new Date('2026-02-01T10:00:00Z'),
  });
  const pick = (field: typeof where, fallback: string) => (where === field ? text : fallback);
  const at = '2026-02-01T10:00:00.000Z';
  return {
    state,
    decision: 'rollback',
    reason: pick('reason', 'a gate failed'),
    cancelled: false,
    restored: true,
    weights: {},
    trace: {
      strategy: 'feature-flag',
      decision: 'rollback',
      status: 'rolled-back',
      reason: pick('reason', 'a gate failed'),
      cancelled: false,
      'started-at': at,
      'ended-at': at,
      steps: [
        {
          index: 0,
          kind: 'hook',
          step: { kind: 'hook', name: pick('hook', 'flag'), command: './flag.sh', exposure: 10 },
          outcome: 'failed',
          'started-at': at,
          'ended-at': at,
          message: pick('message', 'exit code 1'),
          retries: [],
        },
      ],
      rollback: {
        to: 'stable',
        reason: pick('reason', 'a gate failed'),
        at,
        routes: [
          {
            route: ROUTE,
            changed: true,
            before: [],
            after: [
              { 'target-group-arn': STABLE, weight: 100 },
              { 'target-group-arn': CANARY, weight: 0 },
            ],
          },
        ],
        error: pick('error', '') || null,
        undo: [pick('undo', 'flag command set exposure to 0% (exit code 0)')],
      },
    },
  };
}

describe('the run-plan summary', () => {
  it.each(['reason', 'message', 'hook', 'undo', 'error'] as const)('escapes a hostile %s', (where) => {
    expectInert((text) => runSummary(result(text, where), { stable: STABLE, canary: CANARY }));
  });
});
