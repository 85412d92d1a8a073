// The ELBv2 rule manager with the real SDK client over the loopback server: the A/B audience rule is
// created with its conditions and tags, found again by its tag, and deleted, and no other rule is touched.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AUDIENCE_TAG,
  InputError,
  parseAudience,
  placeAudience,
  removeAudience,
  routeAudience,
} from '@shiftgate/core';
import { createElbv2Client, ELBV2_RULE_ACTIONS, Elbv2RuleManager } from '@shiftgate/aws';
import { CANARY, LISTENER, STABLE, useAlbFakes } from '../support/alb-fakes';

const fakes = useAlbFakes();
const ROLLOUT = '2026-01-01T00:00:00.000Z';
const OTHER_RULE = `${LISTENER.replace(':listener/', ':listener-rule/')}/0123456789abcdef`;
let manager: Elbv2RuleManager;
let calls = 0;

beforeEach(() => {
  for (const [k, v] of Object.entries({
    AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: fakes.elbv2.url,
    AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
    AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  }))
    vi.stubEnv(k, v);
  fakes.elbv2.addRule({
    RuleArn: OTHER_RULE,
    ListenerArn: LISTENER,
    Priority: '1',
    Actions: [{ Type: 'forward', TargetGroupArn: STABLE }],
  });
  manager = new Elbv2RuleManager(createElbv2Client({ caller: 'test', maxAttempts: 2 }));
  calls = 0;
});
afterEach(() => vi.unstubAllEnvs());

describe('Elbv2RuleManager', () => {
  it('creates one tagged rule at the first free priority with header, query and cookie conditions', async () => {
    const conditions = parseAudience(
      'audience',
      'header:X-Experiment=b|beta; query:variant=b; cookie:exp=on',
    );
    const rule = await routeAudience(manager, {
      route: LISTENER,
      rollout: ROLLOUT,
      conditions,
      targetGroup: CANARY,
    });
    expect(rule).toMatchObject({ priority: 2, listener: LISTENER, created: true });
    const stored = fakes.elbv2.rule(rule.arn);
    expect(stored.Conditions).toEqual([
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Experiment', Values: ['b', 'beta'] } },
      { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'variant', Value: 'b' }] } },
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'Cookie', Values: ['*exp=on*'] } },
    ]);
    expect(fakes.elbv2.weights(rule.arn)).toEqual([[CANARY, 1]]);
    // A second call (a resumed or retried run) finds the rule by its tag instead of adding one.
    const again = await routeAudience(manager, {
      route: LISTENER,
      rollout: ROLLOUT,
      conditions,
      targetGroup: CANARY,
    });
    expect(again).toMatchObject({ arn: rule.arn, created: false });
    expect(fakes.elbv2.listenerRules(LISTENER).map(([arn]) => arn)).toEqual([OTHER_RULE, rule.arn]);
    const { rules } = await manager.rules(LISTENER);
    expect(rules.find((r) => r.arn === rule.arn)?.tags).toEqual({ [AUDIENCE_TAG]: ROLLOUT });
  });

  it("removes only this rollout's rule, and a second removal changes nothing", async () => {
    const conditions = parseAudience('audience', 'header:X-Experiment=b');
    await routeAudience(manager, { route: LISTENER, rollout: ROLLOUT, conditions, targetGroup: CANARY });
    const other = await routeAudience(manager, {
      route: LISTENER,
      rollout: 'another',
      conditions,
      targetGroup: CANARY,
    });
    expect(await removeAudience(manager, LISTENER, ROLLOUT)).toHaveLength(1);
    expect(await removeAudience(manager, LISTENER, ROLLOUT)).toEqual([]);
    expect(fakes.elbv2.listenerRules(LISTENER).map(([arn]) => arn)).toEqual([OTHER_RULE, other.arn]);
    await manager.remove(other.arn);
    await manager.remove(other.arn);
    expect(fakes.elbv2.listenerRules(LISTENER).map(([arn]) => arn)).toEqual([OTHER_RULE]);
  });

  it('reads rules page by page and tags 20 at a time, and refuses a listener at the rule limit', async () => {
    for (let i = 2; i <= 100; i++)
      fakes.elbv2.addRule({
        RuleArn: `${OTHER_RULE.slice(0, -3)}${i.toString(16).padStart(3, '0')}`,
        ListenerArn: LISTENER,
        Priority: String(i),
        Actions: [{ Type: 'forward', TargetGroupArn: STABLE }],
      });
    fakes.elbv2.requests.length = 0;
    const error = await placeAudience(manager, LISTENER, ROLLOUT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/already has 100 rules, ALB's limit per listener/);
    expect(fakes.elbv2.actions()).toEqual(['DescribeRules', ...Array<string>(5).fill('DescribeTags')]);
  });

  it('adopts the rule a CreateRule with a lost answer created when the resend meets PriorityInUse', async () => {
    const conditions = parseAudience('audience', 'header:X-Experiment=b; cookie:exp=on');
    // Applied, answer lost: the SDK sends CreateRule again, which ELBv2 answers with PriorityInUse.
    fakes.elbv2.fail('CreateRule', { drop: 'after' }, 1);
    const rule = await routeAudience(manager, {
      route: LISTENER,
      rollout: ROLLOUT,
      conditions,
      targetGroup: CANARY,
    });
    expect(fakes.elbv2.actions().filter((a) => a === 'CreateRule')).toHaveLength(2);
    const rules = fakes.elbv2.listenerRules(LISTENER).map(([arn]) => arn);
    // Exactly one audience rule, and it is the one the run reports.
    expect(rules).toEqual([OTHER_RULE, rule.arn]);
    expect(rule).toMatchObject({ priority: 2, created: true });
  });

  it('does not adopt a rule with our tag and other conditions, naming it', async () => {
    const first = await routeAudience(manager, {
      route: LISTENER,
      rollout: ROLLOUT,
      conditions: parseAudience('audience', 'header:X-Experiment=a'),
      targetGroup: CANARY,
    });
    await expect(
      routeAudience(
        {
          ...manager,
          rules: async (route) => {
            const read = await manager.rules(route);
            // The first read (placement) does not see it; the read after the failed create does.
            return calls++ === 0 ? { ...read, rules: read.rules.filter((r) => r.arn !== first.arn) } : read;
          },
          create: async () => {
            throw new Error('PriorityInUse: Priority 2 is currently in use');
          },
          remove: (arn) => manager.remove(arn),
        },
        {
          route: LISTENER,
          rollout: ROLLOUT,
          conditions: parseAudience('audience', 'header:X-Experiment=b'),
          targetGroup: CANARY,
        },
      ),
    ).rejects.toThrow(
      `rule ${first.arn} on ${LISTENER} carries this rollout's tag but matches header:X-Experiment=a`,
    );
  });

  it('rethrows a failed CreateRule that created nothing', async () => {
    fakes.elbv2.fail('CreateRule', { error: { code: 'TooManyRules', message: 'too many rules' } });
    await expect(
      routeAudience(manager, {
        route: LISTENER,
        rollout: ROLLOUT,
        conditions: parseAudience('audience', 'header:X-Experiment=b'),
        targetGroup: CANARY,
      }),
    ).rejects.toThrow(/CreateRule/);
    expect(fakes.elbv2.listenerRules(LISTENER).map(([arn]) => arn)).toEqual([OTHER_RULE]);
  });

  it('sends only the calls its IAM actions name', async () => {
    const conditions = parseAudience('audience', 'header:X-Experiment=b');
    await routeAudience(manager, { route: LISTENER, rollout: ROLLOUT, conditions, targetGroup: CANARY });
    await removeAudience(manager, LISTENER, ROLLOUT);
    const sent = new Set(fakes.elbv2.actions());
    // CreateRule with Tags is authorised as AddTags as well; it sends no AddTags call of its own.
    expect([...sent, 'AddTags'].sort()).toEqual([...ELBV2_RULE_ACTIONS].sort());
  });
});
