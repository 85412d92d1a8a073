import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  createRolloutState,
  parseServices,
  rollbackRollout,
  virtualTime,
  type HookRun,
  type RollbackOptions,
  type RolloutState,
  type RouteReading,
  type TargetWeight,
  type TrafficRouter,
  type WritePreview,
} from '@shiftgate/core';

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const STABLE = `${ARN}:targetgroup/blue/0123456789abcdef`;
const CANARY = `${ARN}:targetgroup/green/0123456789abcdef`;
const OTHER = `${ARN}:targetgroup/legacy/0123456789abcdef`;
const A = `${ARN}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const B = `${ARN}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const PAIR = { stable: STABLE, canary: CANARY };
const tw = (arn: string, weight: number): TargetWeight => ({ 'target-group-arn': arn, weight });
const at = (canary: number) => [tw(STABLE, 100 - canary), tw(CANARY, canary)];

/** Routes in a map; a route named in `refuse` throws on every write, `flaky` on its first write only. */
function routerOver(
  routes: Record<string, TargetWeight[]>,
  faults: { refuse?: string[]; flaky?: string[] } = {},
) {
  const table = new Map(Object.entries(routes));
  const log: string[] = [];
  const router: TrafficRouter = {
    async read(route): Promise<RouteReading> {
      log.push(`read ${route}`);
      return { route, kind: 'listener', 'target-groups': table.get(route)!.map((t) => ({ ...t })) };
    },
    preview: (reading, targetGroups): WritePreview => ({
      route: reading.route,
      operation: 'ModifyListener',
      request: targetGroups,
    }),
    async write(reading, targetGroups) {
      log.push(`write ${reading.route}`);
      const flaky = faults.flaky?.includes(reading.route) && !log.includes(`failed ${reading.route}`);
      if (faults.refuse?.includes(reading.route) || flaky) {
        log.push(`failed ${reading.route}`);
        throw new Error(`ModifyListener on ${reading.route} failed: access denied`);
      }
      table.set(reading.route, targetGroups);
    },
    loadBalancerOf: async () => `${ARN}:loadbalancer/app/shop/50dc6c495c0c9188`,
  };
  return { router, table, log, writes: () => log.filter((l) => l.startsWith('write')).length };
}

/** A canary rollout at 25% on both routes; before it, A sent everything to stable and B shared with OTHER. */
function shifted(overrides: Partial<RolloutState> = {}): RolloutState {
  return {
    ...createRolloutState({
      strategy: 'canary',
      parameters: {},
      plan: [{ kind: 'shift', weight: 25 }],
      now: new Date(Date.UTC(2026, 0, 1)),
    }),
    step: 1,
    status: 'in-progress',
    routes: [A, B],
    'stable-target-group-arn': STABLE,
    'canary-target-group-arn': CANARY,
    'initial-weights': { [A]: [tw(STABLE, 1)], [B]: [tw(STABLE, 80), tw(OTHER, 20)] },
    weights: { stable: 75, canary: 25 },
    ...overrides,
  };
}

function options(router: TrafficRouter, overrides: Partial<RollbackOptions> = {}): RollbackOptions {
  return {
    router,
    routes: [A, B],
    pair: PAIR,
    to: 'stable',
    reason: 'p99 612ms > max-p99-latency 500ms',
    state: shifted(),
    clock: virtualTime().clock,
    sleep: virtualTime().sleep,
    random: () => 0,
    verify: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
    ...overrides,
  };
}

describe('rollbackRollout', () => {
  it.each([
    {
      name: 'sends every route to stable and marks the state rolled back',
      routes: { [A]: at(25), [B]: at(25) },
      given: {},
      after: { [A]: at(0), [B]: at(0) },
      writes: 2,
      changed: true,
      state: { status: 'rolled-back', weights: { stable: 100, canary: 0 } },
    },
    {
      name: 'restores exactly the weights before the rollout with previous (last good)',
      routes: { [A]: at(25), [B]: [tw(STABLE, 60), tw(CANARY, 20), tw(OTHER, 20)] },
      given: { to: 'previous' as const },
      after: { [A]: [tw(STABLE, 1)], [B]: [tw(STABLE, 80), tw(OTHER, 20)] },
      writes: 2,
      changed: true,
      state: { status: 'rolled-back', weights: { stable: 100, canary: 0 } },
    },
    {
      name: 'writes nothing when traffic is already on stable',
      routes: { [A]: at(0), [B]: at(0) },
      given: {},
      after: { [A]: at(0), [B]: at(0) },
      writes: 0,
      changed: false,
      state: { status: 'rolled-back', weights: { stable: 100, canary: 0 } },
    },
    {
      name: 'reads no route and only marks the state when the rollout never moved traffic',
      routes: { [A]: at(25), [B]: at(25) },
      given: { routes: [] },
      after: { [A]: at(25), [B]: at(25) },
      writes: 0,
      changed: false,
      state: { status: 'rolled-back', weights: { stable: 75, canary: 25 } },
    },
    {
      name: 'rolls back routes given without a state',
      routes: { [A]: at(25), [B]: at(25) },
      given: { state: null },
      after: { [A]: at(0), [B]: at(0) },
      writes: 2,
      changed: true,
      state: null,
    },
  ])('$name', async ({ routes, given, after, writes, changed, state }) => {
    const fake = routerOver(routes);
    const result = await rollbackRollout(options(fake.router, given));
    expect(Object.fromEntries(fake.table)).toEqual(after);
    expect(fake.writes()).toBe(writes);
    expect(result.restored).toBe(true);
    expect(result.changed).toBe(changed);
    expect(result.record.error).toBeNull();
    expect(result.failures).toEqual([]);
    if (state === null) expect(result.state).toBeNull();
    else expect(result.state).toMatchObject(state);
    if (given.routes?.length === 0) expect(fake.log).toEqual([]);
  });

  it('makes no write when called a second time', async () => {
    const fake = routerOver({ [A]: at(25), [B]: at(25) });
    const first = await rollbackRollout(options(fake.router));
    const again = await rollbackRollout(options(fake.router, { state: first.state }));
    expect(fake.writes()).toBe(2);
    expect(again.changed).toBe(false);
    expect(again.record.routes.map((r) => r.changed)).toEqual([false, false]);
    expect(again.state).toMatchObject({ status: 'rolled-back', weights: { stable: 100, canary: 0 } });
  });

  it.each([
    {
      name: 'a refused route',
      faults: { refuse: [A] },
      given: {},
      error: `ModifyListener on ${A} failed: access denied`,
      handled: [B],
    },
    {
      name: 'previous without the weights before the rollout',
      faults: {},
      given: { to: 'previous' as const, state: shifted({ 'initial-weights': null }) },
      error: "Input 'to' must be 'stable', or 'previous' with a state recording the weights of",
      handled: [],
    },
  ])('restores the other routes and reports $name, marking the state failed', async (row) => {
    const fake = routerOver({ [A]: at(25), [B]: at(25) }, row.faults);
    const result = await rollbackRollout(options(fake.router, row.given));
    expect(result.restored).toBe(false);
    expect(result.record.error).toContain(row.error);
    expect(result.record.routes.map((r) => r.route)).toEqual(row.handled);
    expect(result.failures.map((f) => f.route)).toContain(A);
    expect(result.state).toMatchObject({ status: 'failed', weights: { stable: 75, canary: 25 } });
  });

  it('tries again a growing pause later, warning about each failed attempt', async () => {
    const fake = routerOver({ [A]: at(25), [B]: at(25) }, { flaky: [A] });
    const warnings: string[] = [];
    const pauses: number[] = [];
    const result = await rollbackRollout(
      options(fake.router, {
        attempts: 3,
        sleep: async (ms) => void pauses.push(ms),
        logger: { info: () => {}, debug: () => {}, warning: (m) => warnings.push(m) },
      }),
    );
    expect(result.restored).toBe(true);
    expect(result.failures).toEqual([]);
    expect(Object.fromEntries(fake.table)).toEqual({ [A]: at(0), [B]: at(0) });
    expect(warnings).toEqual([
      expect.stringMatching(/^restoring traffic failed \(attempt 1 of 3\): ModifyListener/),
    ]);
    expect(pauses).toContain(1000);
  });

  it('warns about nothing when a single attempt fails: the result carries the error', async () => {
    const fake = routerOver({ [A]: at(25), [B]: at(25) }, { refuse: [A, B] });
    const warnings: string[] = [];
    const result = await rollbackRollout(
      options(fake.router, { logger: { info: () => {}, debug: () => {}, warning: (m) => warnings.push(m) } }),
    );
    expect(result.restored).toBe(false);
    expect(result.failures.map((f) => f.route)).toEqual([A, B]);
    expect(warnings).toEqual([]);
  });

  it("never runs a state's own flag command when this run configures none", async () => {
    const plan = buildPlan('feature-flag', { 'flag-command': 'touch /tmp/x', 'flag-steps': '10,100' });
    const runs: HookRun[] = [];
    const fake = routerOver({ [A]: at(25), [B]: at(25) });
    const result = await rollbackRollout(
      options(fake.router, {
        state: shifted({ plan: plan.steps }),
        undo: {
          hooks: { command: async (run) => (runs.push(run), { 'exit-code': 0 }) },
          started: plan.steps.length,
        },
      }),
    );
    expect(runs).toEqual([]);
    expect(result.restored).toBe(true);
  });

  it('sets the last flag back to exposure 0 once traffic is back', async () => {
    const plan = buildPlan('feature-flag', { 'flag-command': './flag.sh', 'flag-steps': '10,100' });
    const runs: HookRun[] = [];
    const fake = routerOver({ [A]: at(25), [B]: at(25) });
    const result = await rollbackRollout(
      options(fake.router, {
        state: shifted({ plan: plan.steps }),
        undo: {
          hooks: { command: async (run) => (runs.push(run), { 'exit-code': 0 }), flagCommand: './flag.sh' },
          started: plan.steps.length,
        },
      }),
    );
    expect(runs.map((r) => [r.command, r.env.SHIFTGATE_EXPOSURE, r.env.SHIFTGATE_PHASE])).toEqual([
      ['./flag.sh', '0', 'rollback'],
    ]);
    // The hook sees the state after the rollback.
    expect(runs[0]!.env.SHIFTGATE_CANARY_WEIGHT).toBe('0');
    expect(result.record.undo).toEqual(['flag command set exposure to 0% (exit code 0)']);
    expect(result.record.error).toBeNull();
  });

  it('compensates only the saga services the state records as deployed or failing, in reverse, and names a failed undo', async () => {
    const plan = buildPlan('saga', { services: 'orders,payments,email' });
    const services = parseServices(
      'services',
      ['orders', 'payments', 'email']
        .map((n) => `- {name: ${n}, deploy: d, compensate: c, smoke: s}\n`)
        .join(''),
    );
    const started = plan.steps.findIndex((s) => s.kind === 'service' && s.service === 'payments') + 1;
    const state = shifted({
      plan: plan.steps,
      compensation: plan.compensation,
      'initial-weights': null,
      step: started - 1,
      services: [
        { name: 'orders', status: 'deployed' },
        { name: 'payments', status: 'failed' },
        { name: 'email', status: 'untouched' },
      ],
    });
    const calls: string[] = [];
    const result = await rollbackRollout(
      options(routerOver({}).router, {
        routes: [],
        state,
        undo: {
          hooks: {
            saga: {
              services,
              attempts: 1,
              run: async ({ service, phase }) => {
                calls.push(`${phase === 'compensate' ? 'undo' : 'deploy'} ${service.name}`);
                if (service.name === 'payments') throw new Error('payments API timed out');
                return { 'exit-code': 0 };
              },
            },
          },
          started,
        },
      }),
    );
    // A compensation that cannot run counts as failed (exit code 127); the ones before it stay deployed.
    expect(calls).toEqual(['undo payments']);
    expect(result.record.undo).toEqual([
      'service payments could not be compensated (exit code 127, 1 attempts)',
    ]);
    expect(result.record.error).toBe('compensation-failed: payments');
    expect(result.restored).toBe(false);
    expect(result.state?.status).toBe('failed');
    expect(result.state?.services).toEqual([
      { name: 'orders', status: 'deployed' },
      { name: 'payments', status: 'failed' },
      { name: 'email', status: 'untouched' },
    ]);
  });
});
