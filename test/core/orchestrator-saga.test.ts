import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  createRolloutState,
  InputError,
  parseGates,
  parseServices,
  runPlan,
  virtualTime,
  type AlarmState,
  type RolloutState,
  type RouteReading,
  type RunPlanOptions,
  type SagaHooks,
  type ServiceCommand,
  type TargetWeight,
  type TrafficRouter,
} from '@shiftgate/core';
import { ARN, LISTENER as L1, PAIR } from '../support/core-arns';

const MIN = 60_000;
const NAMES = ['order', 'payment', 'inventory', 'shipping'];

const SERVICES = parseServices(
  'services',
  NAMES.map(
    (name, i) =>
      `- name: ${name}\n  deployment-order: ${(i + 1) * 10}\n  deploy: ./deploy.sh ${name}\n  compensate: ./undo.sh ${name}\n  smoke: ./smoke.sh ${name}\n`,
  ).join(''),
);

function sagaState(names = NAMES, overrides: Partial<RolloutState> = {}): RolloutState {
  const plan = buildPlan('saga', { services: names, 'bake-time': '3m' });
  return {
    ...createRolloutState({
      strategy: 'saga',
      parameters: plan.parameters,
      plan: plan.steps,
      compensation: plan.compensation,
      environment: 'production',
      version: 'v2.4.0',
      now: new Date(Date.UTC(2026, 0, 1)),
    }),
    ...overrides,
  };
}

/** A saga's commands, scripted per `service phase` (default exit code 0), each taking 10 s. */
function scriptedSaga(codes: Record<string, number | number[]> = {}) {
  const time = virtualTime(Date.UTC(2026, 0, 1));
  const ran: ServiceCommand[] = [];
  const sleeps: number[] = [];
  const seen = new Map<string, number>();
  const hooks: SagaHooks = {
    services: SERVICES,
    run: async (command) => {
      ran.push(command);
      await time.sleep(10_000);
      const key = `${command.service.name} ${command.phase}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      const code = codes[key] ?? 0;
      return { 'exit-code': Array.isArray(code) ? (code[n] ?? code.at(-1)!) : code };
    },
  };
  const writes: TargetWeight[][] = [];
  const router: TrafficRouter = {
    read: async (route): Promise<RouteReading> => ({
      route,
      kind: 'listener',
      'target-groups': [{ 'target-group-arn': PAIR.stable, weight: 1 }],
    }),
    preview: (reading, targetGroups) => ({
      route: reading.route,
      operation: 'ModifyListener',
      request: targetGroups,
    }),
    write: async (_reading, targetGroups) => void writes.push(targetGroups),
    loadBalancerOf: async () => `${ARN}:loadbalancer/app/shop/50dc6c495c0c9188`,
  };
  const options = (overrides: Partial<RunPlanOptions> = {}): RunPlanOptions => ({
    state: sagaState(),
    target: { routes: [L1], pair: PAIR },
    router,
    // A saga deploys in place: its gates are each service's alarms and smoke, never canary metrics.
    metrics: () => {
      throw new Error('a saga reads no canary metrics');
    },
    hooks: { saga: hooks },
    gates: parseGates({}),
    period: MIN,
    metricDelay: 2 * MIN,
    clock: time.clock,
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      await time.sleep(ms, signal);
    },
    random: () => 0,
    ...overrides,
  });
  const steps = () => ran.map((c) => `${c.phase} ${c.service.name}`).filter((s) => !s.startsWith('smoke'));
  return { options, ran, steps, writes, sleeps, hooks };
}

describe('saga', () => {
  it('deploys every service in order, judging each, and promotes', async () => {
    const saga = scriptedSaga();
    const result = await runPlan(saga.options());
    expect(result.decision).toBe('promote');
    expect(saga.steps()).toEqual(NAMES.map((n) => `deploy ${n}`));
    expect(result.trace.saga?.services).toEqual(NAMES.map((name) => ({ name, status: 'deployed' })));
    expect(result.trace.saga?.compensated).toEqual([]);
    // Each 3-minute gate reads the service's smoke check at its start and every minute until it ends.
    expect(saga.ran.filter((c) => c.phase === 'smoke' && c.service.name === 'order')).toHaveLength(4);
    expect(saga.writes).toHaveLength(0);
  });

  it('compensates the third, second and first service, in that order, when the third fails its deploy', async () => {
    const saga = scriptedSaga({ 'inventory deploy': 2 });
    const result = await runPlan(saga.options());
    expect(result.decision).toBe('rollback');
    expect(saga.steps()).toEqual([
      'deploy order',
      'deploy payment',
      'deploy inventory',
      'compensate inventory',
      'compensate payment',
      'compensate order',
    ]);
    expect(result.reason).toMatch(
      /^service inventory deploy exited with code 2: compensating; compensated inventory, payment, order; traffic was not moved/,
    );
    expect(result.trace.saga?.services).toEqual([
      { name: 'order', status: 'compensated' },
      { name: 'payment', status: 'compensated' },
      { name: 'inventory', status: 'compensated' },
      { name: 'shipping', status: 'untouched' },
    ]);
    expect(result.trace.saga?.compensated).toEqual(['inventory', 'payment', 'order']);
    expect(result.trace.rollback?.undo).toEqual([
      'service inventory compensated (exit code 0)',
      'service payment compensated (exit code 0)',
      'service order compensated (exit code 0)',
    ]);
    const deploy = result.trace.saga!.commands.find(
      (c) => c.service === 'inventory' && c.phase === 'deploy',
    )!;
    expect(deploy).toMatchObject({ 'exit-code': 2, 'duration-ms': 10_000, attempt: 1 });
    expect(result.state.status).toBe('rolled-back');
    expect(result.restored).toBe(true);
  });

  it("runs each command with this run's command and the SHIFTGATE_* variables", async () => {
    const saga = scriptedSaga({ 'payment deploy': 1 });
    await runPlan(saga.options());
    const compensate = saga.ran.find((c) => c.phase === 'compensate' && c.service.name === 'order')!;
    expect(compensate.command).toBe('./undo.sh order');
    expect(compensate.env).toMatchObject({
      SHIFTGATE_SERVICE: 'order',
      SHIFTGATE_SERVICE_ORDER: '10',
      SHIFTGATE_PHASE: 'compensate',
      SHIFTGATE_VERSION: 'v2.4.0',
      SHIFTGATE_ENVIRONMENT: 'production',
      SHIFTGATE_STRATEGY: 'saga',
    });
    expect(saga.ran[0]).toMatchObject({ command: './deploy.sh order', env: { SHIFTGATE_PHASE: 'deploy' } });
  });

  it("compensates in reverse when a deployed service's own gate fails", async () => {
    const saga = scriptedSaga({ 'payment smoke': [0, 0, 3] });
    const result = await runPlan(saga.options());
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(
      /^service payment gate: the service's smoke command failed \(exit code 3\)/,
    );
    expect(saga.steps()).toEqual([
      'deploy order',
      'deploy payment',
      'compensate payment',
      'compensate order',
    ]);
    const gate = result.trace.steps.find((s) => s.outcome === 'failed')!;
    expect(gate).toMatchObject({ kind: 'bake', health: { phase: 'Failed' } });
  });

  it.each([
    ['ALARM', /^service order gate: alarm 'orders-5xx' in ALARM: rollback/],
    ['INSUFFICIENT_DATA', /^service order gate inconclusive, and missing evidence never promotes/],
  ] as const)("judges a service's own alarms: %s does not pass", async (value, reason) => {
    const saga = scriptedSaga();
    const services = parseServices(
      'services',
      NAMES.map(
        (n) => `- {name: ${n}, deploy: d, compensate: c${n === 'order' ? ', alarms: [orders-5xx]' : ''}}\n`,
      ).join(''),
    );
    const asked: string[][] = [];
    const alarms = {
      states: async (names: readonly string[]): Promise<Record<string, AlarmState>> => {
        asked.push([...names]);
        return Object.fromEntries(names.map((n) => [n, n === 'orders-5xx' ? value : 'OK']));
      },
    };
    const result = await runPlan(
      saga.options({
        hooks: { saga: { ...saga.hooks, services } },
        alarms,
        gates: parseGates({}, { alarms: ['shop-latency'] }),
      }),
    );
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(reason);
    // The run's alarms and the service's own, together.
    expect(asked).toContainEqual(['shop-latency', 'orders-5xx']);
    expect(saga.steps()).toEqual(['deploy order', 'compensate order']);
  });

  it('retries a failing compensation with backoff, then fails loudly with compensation-failed and stops', async () => {
    const saga = scriptedSaga({ 'inventory deploy': 1, 'payment compensate': 1 });
    const result = await runPlan(saga.options());
    expect(saga.steps()).toEqual([
      ...NAMES.slice(0, 3).map((n) => `deploy ${n}`),
      'compensate inventory',
      ...Array<string>(3).fill('compensate payment'),
    ]);
    // 1 s, then 2 s, between the three tries.
    expect(saga.sleeps.slice(-2)).toEqual([1000, 2000]);
    expect(result.restored).toBe(false);
    expect(result.state.status).toBe('failed');
    expect(result.trace.rollback?.error).toBe('compensation-failed: payment');
    expect(result.reason).toMatch(/compensation-failed: payment \(retried and still failing\)/);
    expect(result.trace.saga?.services).toEqual([
      { name: 'order', status: 'deployed' },
      { name: 'payment', status: 'failed' },
      { name: 'inventory', status: 'compensated' },
      { name: 'shipping', status: 'untouched' },
    ]);
    expect(result.trace.saga?.commands.filter((c) => c.phase === 'compensate').map((c) => c.attempt)).toEqual(
      [1, 1, 2, 3],
    );
  });

  it('never redeploys a service the state says is done, and still compensates it', async () => {
    const saga = scriptedSaga({ 'payment deploy': 1 });
    // Steps 1 and 2 (deploy order, its gate) ran in an earlier job.
    const state = sagaState(NAMES, { step: 2, status: 'in-progress' });
    const result = await runPlan(saga.options({ state }));
    expect(saga.steps()).toEqual(['deploy payment', 'compensate payment', 'compensate order']);
    expect(result.trace.saga?.services[0]).toEqual({ name: 'order', status: 'compensated' });
  });

  it("judges a resumed saga's last gate with that service's own check, and refuses to without services", async () => {
    const saga = scriptedSaga({ 'shipping smoke': 1 });
    const state = sagaState(NAMES, { step: 7, status: 'in-progress' });
    const result = await runPlan(saga.options({ state }));
    expect(result.reason).toMatch(/^service shipping gate: the service's smoke command failed/);
    expect(saga.steps()).toEqual(NAMES.map((n) => `compensate ${n}`).reverse());
    const refused = await runPlan(saga.options({ state, hooks: {} })).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(
      /Plan step 8 of the saga plan is a saga step, which needs this run's 'services'/,
    );
  });

  it.each([
    [
      'services that differ from the plan',
      { hooks: { saga: { services: SERVICES.slice(0, 3), run: async () => ({ 'exit-code': 0 }) } } },
      /declares the services order, payment, inventory but the saga plan deploys order, payment, inventory, shipping/,
    ],
    ['no services at all', { hooks: {} }, /needs this run's 'services'/],
    [
      'a service with nothing to judge it by',
      {
        hooks: {
          saga: {
            services: parseServices(
              'services',
              NAMES.map((n) => `- {name: ${n}, deploy: d, compensate: c}\n`).join(''),
            ),
            run: async () => ({ 'exit-code': 0 }),
          },
        },
      },
      /service 'order' has nothing to judge it by/,
    ],
  ])('refuses %s before running anything', async (_name, overrides, message) => {
    const saga = scriptedSaga();
    const error = await runPlan(saga.options(overrides as Partial<RunPlanOptions>)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect(saga.ran).toHaveLength(0);
  });
});

describe('parseServices', () => {
  it('sorts services by deployment-order and takes the list position when it is not given', () => {
    const services = parseServices(
      'services',
      '[{name: b, deployment-order: 20, deploy: d, compensate: c}, {name: a, deployment-order: 10, deploy: d, compensate: c, alarms: "x, y"}]',
    );
    expect(services.map((s) => [s.name, s['deployment-order'], s.alarms])).toEqual([
      ['a', 10, ['x', 'y']],
      ['b', 20, []],
    ]);
    expect(parseServices('services', '- {name: a, deploy: d, compensate: c}')[0]!['deployment-order']).toBe(
      1,
    );
    expect(parseServices('services', '  ')).toEqual([]);
  });

  it.each([
    [
      '- {name: a, deploy: d, compensate: c}\n- {name: a, deploy: d, compensate: c}',
      /service 'a' is listed twice/,
    ],
    [
      '- {name: a, deployment-order: 1, deploy: d, compensate: c}\n- {name: b, deployment-order: 1, deploy: d, compensate: c}',
      /service 'b' has deployment-order 1, as service 'a' does/,
    ],
    ['- {name: a, deploy: d}', /service 'a' needs 'compensate', a bash command that undoes its deploy/],
    ['- {name: a, compensate: c}', /service 'a' needs 'deploy'/],
    ['- {name: "a b", deploy: d, compensate: c}', /needs a 'name' of letters/],
    ['- {name: a, deploy: d, compensate: c, retries: 3}', /service 'a' has unknown key 'retries'/],
    [
      '- {name: a, deploy: d, compensate: c, targets: [x]}',
      /service 'a': 'targets' must be a mapping with listener-arn, rule-arn/,
    ],
    [
      '- {name: a, deployment-order: 0, deploy: d, compensate: c}',
      /'deployment-order' must be a whole number from 1/,
    ],
    ['name: a', /expected a non-empty list/],
    ['- [', /it is not YAML/],
  ])('refuses %j', (text, message) => {
    expect(() => parseServices('services', text)).toThrow(InputError);
    expect(() => parseServices('services', text)).toThrow(message);
  });
});
