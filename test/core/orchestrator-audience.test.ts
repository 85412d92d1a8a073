import { describe, expect, it } from 'vitest';
import {
  AUDIENCE_TAG,
  buildPlan,
  createRolloutState,
  InputError,
  parseAudience,
  parseGates,
  rollbackRollout,
  runPlan,
  virtualTime,
  type ListenerRule,
  type MetricWindow,
  type RolloutState,
  type RuleManager,
  type RunPlanOptions,
  type TargetWeight,
  type TrafficRouter,
} from '@shiftgate/core';
import { ARN, LISTENER, PAIR } from '../support/core-arns';

const OTHERS: ListenerRule = {
  arn: `${LISTENER.replace('listener/', 'listener-rule/')}/aaaa`,
  priority: 1,
  tags: {},
};

/** A listener with its rules; `others` are someone else's and must never be touched. */
function listener(others: ListenerRule[] = [OTHERS]) {
  const rules = new Map(others.map((r) => [r.arn, { ...r }]));
  const calls: string[] = [];
  let weights: TargetWeight[] = [{ 'target-group-arn': PAIR.stable, weight: 1 }];
  const manager: RuleManager = {
    rules: async () => ({ listener: LISTENER, rules: [...rules.values()].map((r) => ({ ...r })) }),
    create: async (request) => {
      const arn = `${LISTENER.replace('listener/', 'listener-rule/')}/r${rules.size}`;
      calls.push(`create ${request.priority} ${request.targetGroup === PAIR.canary ? 'B' : '?'}`);
      rules.set(arn, { arn, priority: request.priority, tags: request.tags });
      return arn;
    },
    remove: async (arn) => {
      calls.push(`remove ${arn === OTHERS.arn ? 'OTHERS' : 'ours'}`);
      rules.delete(arn);
    },
  };
  const router: TrafficRouter = {
    read: async (route) => ({ route, kind: 'listener', 'target-groups': weights.map((w) => ({ ...w })) }),
    preview: (reading, targetGroups) => ({
      route: reading.route,
      operation: 'ModifyListener',
      request: targetGroups,
    }),
    write: async (_reading, targetGroups) => void (weights = targetGroups.map((w) => ({ ...w }))),
    loadBalancerOf: async () => `${ARN}:loadbalancer/app/shop/50dc6c495c0c9188`,
  };
  return { manager, router, rules, calls, weights: () => weights };
}

const stats = (requests: number, errors: number) => ({
  requests,
  errors,
  p99: 150,
  healthy: 3,
  unhealthy: 0,
});

function abState(parameters: Record<string, string>): RolloutState {
  const plan = buildPlan('ab-testing', { duration: '5m', ...parameters });
  return createRolloutState({
    strategy: 'ab-testing',
    parameters: plan.parameters,
    plan: plan.steps,
    now: new Date(Date.UTC(2026, 0, 1)),
  });
}

function options(fake: ReturnType<typeof listener>, state: RolloutState, errors = 0): RunPlanOptions {
  const time = virtualTime(Date.UTC(2026, 0, 1));
  return {
    state,
    target: { routes: [LISTENER], pair: PAIR },
    router: fake.router,
    rules: fake.manager,
    metrics: () => ({
      windows: async ({ start, end }) => {
        const out: MetricWindow[] = [];
        for (let t = start; t < end; t += 60_000)
          out.push({ canary: stats(500, errors), baseline: stats(2000, 2) });
        return out;
      },
    }),
    gates: parseGates({ 'min-requests': '100' }),
    period: 60_000,
    metricDelay: 0,
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0,
  };
}

describe('A/B audience rule', () => {
  it('creates exactly one rule at a free priority, pauses with a verdict, and removes the rule on promote', async () => {
    const fake = listener();
    const state = abState({ audience: 'header:X-Experiment=b|beta' });
    const paused = await runPlan(options(fake, state));
    expect(paused.decision).toBe('paused');
    expect(fake.calls).toEqual(['create 2 B']);
    expect([...fake.rules.values()].filter((r) => r.tags[AUDIENCE_TAG] === state['created-at'])).toHaveLength(
      1,
    );
    expect(paused.trace.rule).toMatchObject({
      priority: 2,
      listener: LISTENER,
      conditions: [{ field: 'http-header', name: 'X-Experiment', values: ['b', 'beta'] }],
    });
    expect(paused.trace.comparison?.verdict).toBeDefined();
    // Everyone else stays on A: no weighted split was asked for.
    expect(fake.weights()).toEqual([{ 'target-group-arn': PAIR.stable, weight: 1 }]);

    const promoted = await runPlan(options(fake, paused.state));
    expect(promoted.decision).toBe('promote');
    expect(fake.calls).toEqual(['create 2 B', 'remove ours']);
    expect([...fake.rules.keys()]).toEqual([OTHERS.arn]);
  });

  it('removes the rule and restores the split on a health breach', async () => {
    const fake = listener();
    const result = await runPlan(options(fake, abState({ audience: 'cookie:exp=b', split: '80,20' }), 60));
    expect(result.decision).toBe('rollback');
    expect(fake.calls).toEqual(['create 2 B', 'remove ours']);
    expect(result.trace.rollback?.undo[0]).toMatch(/^audience rule .* removed$/);
    expect([...fake.rules.keys()]).toEqual([OTHERS.arn]);
    expect(fake.weights().find((w) => w['target-group-arn'] === PAIR.canary)?.weight ?? 0).toBe(0);
  });

  it('removes the rule when the run is cancelled', async () => {
    const fake = listener();
    const controller = new AbortController();
    const base = options(fake, abState({ audience: 'query:variant=b' }));
    let sleeps = 0;
    const result = await runPlan({
      ...base,
      sleep: async (ms, signal) => {
        if (++sleeps === 2) controller.abort();
        await base.sleep(ms, signal);
      },
      signal: controller.signal,
    });
    expect(result.cancelled).toBe(true);
    expect(fake.calls).toEqual(['create 2 B', 'remove ours']);
  });

  it('removes only its own rule in the rollback action, and a second call changes nothing', async () => {
    const fake = listener();
    const paused = await runPlan(options(fake, abState({ audience: 'header:X-Experiment=b' })));
    const rollback = () =>
      rollbackRollout({
        router: fake.router,
        rules: fake.manager,
        routes: [],
        pair: PAIR,
        to: 'stable',
        reason: 'test',
        state: paused.state,
        clock: virtualTime().clock,
        sleep: async () => {},
        random: () => 0,
      });
    expect((await rollback()).record.undo).toHaveLength(1);
    expect((await rollback()).record.undo).toEqual([]);
    expect(fake.calls).toEqual(['create 2 B', 'remove ours']);
  });

  it.each([
    [
      'a listener at the ALB rule limit',
      Array.from({ length: 100 }, (_, i) => ({ arn: `${OTHERS.arn}${i}`, priority: i + 1, tags: {} })),
      /already has 100 rules, ALB's limit per listener/,
    ],
    ['no rule manager', null, /needs a rule manager that creates and removes listener rules/],
  ])('refuses %s before anything moves', async (_name, others, message) => {
    const fake = listener(others ?? []);
    const base = options(fake, abState({ audience: 'header:X-Experiment=b', split: '50,50' }));
    const run = others === null ? { ...base, rules: undefined } : base;
    const error = await runPlan(run as RunPlanOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect(fake.calls).toEqual([]);
    expect(fake.weights()).toEqual([{ 'target-group-arn': PAIR.stable, weight: 1 }]);
  });
});

describe('parseAudience', () => {
  it('reads headers, query strings and cookies, values separated by |', () => {
    expect(parseAudience('audience', 'header:X-Exp=b|beta; query:variant=b; cookie:exp=on')).toEqual([
      { field: 'http-header', name: 'X-Exp', values: ['b', 'beta'] },
      { field: 'query-string', name: 'variant', values: ['b'] },
      { field: 'cookie', name: 'exp', values: ['on'] },
    ]);
  });

  it.each([
    ['header:X-Exp=b; header:x-exp=c', /'x-exp' is matched twice/],
    ['header:Cookie=*exp=b*; cookie:exp=b', /contradict each other/],
    ['header:X=a|b|c; query:q=d|e|f', /6 values in all; an ALB rule matches at most 5/],
    ['path:/b', /'path:\/b' is not one of these/],
    ['header:X Exp=b', /'X Exp' is not a header, query key or cookie name/],
    ['', /it is empty/],
  ])('refuses %j', (text, message) => {
    expect(() => parseAudience('audience', text)).toThrow(message);
  });

  it('refuses a plan whose split sends everyone to B', () => {
    expect(() => buildPlan('ab-testing', { audience: 'header:X=b', split: '0,100' })).toThrow(
      /a split that leaves some traffic on A/,
    );
  });
});
