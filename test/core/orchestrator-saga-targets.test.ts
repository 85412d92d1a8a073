// Saga services with their own targets: deploy → switch the service's routes to its canary (compare-and
// -set, verified) → bake its own gate (its metric queries and alarms) → on a failure, every deployed
// service's routes back to its stable target group and its compensation, in reverse order.
import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  createRolloutState,
  InputError,
  parseGates,
  parseServices,
  rollbackRollout,
  runPlan,
  virtualTime,
  type MetricRange,
  type MetricSourceFactory,
  type MetricWindow,
  type RolloutState,
  type RouteReading,
  type RunPlanOptions,
  type ServiceCommand,
  type TargetWeight,
  type TrafficRouter,
} from '@shiftgate/core';

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const LB = `${ARN}:loadbalancer/app/shop/50dc6c495c0c9188`;
const listener = (n: number) => `${ARN}:listener/app/shop/50dc6c495c0c9188/${String(n).padStart(16, '0')}`;
const tg = (name: string) => `${ARN}:targetgroup/${name}/0123456789abcdef`;
const tw = (arn: string, weight: number): TargetWeight => ({ 'target-group-arn': arn, weight });
const MIN = 60_000;
const NAMES = ['order', 'payment', 'inventory'];

/** Each service owns one listener between `<name>-blue` and `<name>-green`. */
const SERVICES_YAML = NAMES.map(
  (name, i) => `- name: ${name}
  deploy: ./deploy.sh ${name}
  compensate: ./undo.sh ${name}
  targets:
    listener-arn: ${listener(i + 1)}
    stable-target-group-arn: ${tg(`${name}-blue`)}
    canary-target-group-arn: ${tg(`${name}-green`)}
  metric-queries:
    - {id: ${name}_latency, namespace: Shop, metric: Latency, max: 100}
`,
).join('');

class MemoryRouter implements TrafficRouter {
  readonly routes = new Map<string, TargetWeight[]>();
  readonly writes: string[] = [];
  constructor() {
    NAMES.forEach((name, i) => this.routes.set(listener(i + 1), [tw(tg(`${name}-blue`), 1)]));
  }
  async read(route: string): Promise<RouteReading> {
    const list = this.routes.get(route);
    if (!list) throw new Error(`ListenerNotFound: ${route}`);
    return { route, kind: 'listener', 'target-groups': list.map((t) => ({ ...t })) };
  }
  preview(reading: RouteReading, request: TargetWeight[]) {
    return { route: reading.route, operation: 'ModifyListener' as const, request };
  }
  async write(reading: RouteReading, groups: TargetWeight[]): Promise<void> {
    this.writes.push(reading.route);
    this.routes.set(
      reading.route,
      groups.map((t) => ({ ...t })),
    );
  }
  async loadBalancerOf(): Promise<string> {
    return LB;
  }
  /** Which target group of the service gets the traffic. */
  serving(i: number): string[] {
    return this.routes
      .get(listener(i + 1))!
      .filter((t) => t.weight > 0)
      .map((t) => t['target-group-arn'].split(':targetgroup/')[1]!.split('/')[0]!);
  }
}

function setup(bad: string | null, codes: Record<string, number> = {}) {
  const time = virtualTime(Date.UTC(2026, 0, 1));
  const router = new MemoryRouter();
  const ran: ServiceCommand[] = [];
  const asked: { pair: string; queries: string[] }[] = [];
  // Each service's canary reports its own latency query: the bad one's is over its 100 limit.
  const metrics: MetricSourceFactory = ({ pair, queries }) => {
    asked.push({ pair: pair.canary, queries: (queries ?? []).map((q) => q.id) });
    return {
      async windows(range: MetricRange): Promise<MetricWindow[]> {
        const out: MetricWindow[] = [];
        for (let t = range.start; t < range.end; t += MIN)
          out.push({
            start: new Date(t).toISOString(),
            canary: { requests: 500, errors: 0, p99: 120, healthy: 3, unhealthy: 0 },
            baseline: null,
            custom: Object.fromEntries(
              (queries ?? []).map((q) => [q.id, pair.canary.includes(`${bad}-green`) ? 400 : 20]),
            ),
          });
        return out;
      },
    };
  };
  const plan = buildPlan('saga', { services: NAMES, 'bake-time': '3m' });
  const state: RolloutState = createRolloutState({
    strategy: 'saga',
    parameters: plan.parameters,
    plan: plan.steps,
    compensation: plan.compensation,
    now: new Date(time.clock.now()),
  });
  const services = parseServices('services', SERVICES_YAML);
  const options: RunPlanOptions = {
    state,
    router,
    metrics,
    hooks: {
      saga: {
        services,
        run: async (command) => {
          ran.push(command);
          return { 'exit-code': codes[`${command.service.name} ${command.phase}`] ?? 0 };
        },
      },
    },
    gates: parseGates({}),
    period: MIN,
    metricDelay: 0,
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0,
  };
  return { options, router, ran, asked, services, state };
}

describe('saga services with their own targets', () => {
  it("switches each service's routes after its deploy, judges its own queries there, and promotes", async () => {
    const { options, router, ran, asked } = setup(null);
    const result = await runPlan(options);
    expect(result.decision).toBe('promote');
    expect(NAMES.map((_, i) => router.serving(i))).toEqual(NAMES.map((n) => [`${n}-green`]));
    expect(ran.map((c) => `${c.phase} ${c.service.name}`)).toEqual(NAMES.map((n) => `deploy ${n}`));
    // Each gate read that service's canary with that service's own query.
    expect(asked).toEqual(NAMES.map((n) => ({ pair: tg(`${n}-green`), queries: [`${n}_latency`] })));
    expect(result.trace.steps[0]!.message).toMatch(
      /switched its canary target group on 1 route \(verified\)/,
    );
  });

  it("compensates the third, second and first service when the third's own gate fails, sending each one's routes back first", async () => {
    const { options, router, ran } = setup('inventory');
    const result = await runPlan(options);
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(/^service inventory gate: .*inventory_latency/);
    expect(ran.filter((c) => c.phase === 'compensate').map((c) => c.service.name)).toEqual([
      'inventory',
      'payment',
      'order',
    ]);
    expect(NAMES.map((_, i) => router.serving(i))).toEqual(NAMES.map((n) => [`${n}-blue`]));
    expect(result.trace.rollback!.undo).toEqual([
      "service inventory's targets sent back to its stable target group (verified)",
      'service inventory compensated (exit code 0)',
      "service payment's targets sent back to its stable target group (verified)",
      'service payment compensated (exit code 0)',
      "service order's targets sent back to its stable target group (verified)",
      'service order compensated (exit code 0)',
    ]);
    expect(result.state.services?.map((s) => s.status)).toEqual([
      'compensated',
      'compensated',
      'compensated',
    ]);
  });

  it('restores the targets of what a state says is deployed from outside the run, with the configured ones', async () => {
    const { options, router, ran, services, state } = setup(null);
    // Where a killed run left them: order and payment switched to their canaries.
    await router.write(await router.read(listener(1)), [tw(tg('order-blue'), 0), tw(tg('order-green'), 1)]);
    await router.write(await router.read(listener(2)), [
      tw(tg('payment-blue'), 0),
      tw(tg('payment-green'), 1),
    ]);
    const killed: RolloutState = {
      ...state,
      step: 3,
      status: 'in-progress',
      services: [
        { name: 'order', status: 'deployed' },
        { name: 'payment', status: 'failed' },
        { name: 'inventory', status: 'untouched' },
      ],
    };
    const result = await rollbackRollout({
      router,
      routes: [],
      pair: { stable: '', canary: '' },
      to: 'stable',
      reason: 'the job was killed',
      state: killed,
      clock: options.clock,
      sleep: options.sleep,
      random: () => 0,
      undo: { hooks: { saga: { services, run: options.hooks!.saga!.run } }, started: 3 },
    });
    expect(result.record.error).toBeNull();
    expect(result.restored).toBe(true);
    expect(ran.map((c) => `${c.phase} ${c.service.name}`)).toEqual([
      'compensate payment',
      'compensate order',
    ]);
    expect([0, 1, 2].map((i) => router.serving(i))).toEqual([
      ['order-blue'],
      ['payment-blue'],
      ['inventory-blue'],
    ]);
    expect(result.changed).toBe(true);
  });

  it('fails compensation loudly, running no compensate command, when its targets cannot go back', async () => {
    const { options, router, ran, services, state } = setup(null);
    router.routes.delete(listener(2));
    const result = await rollbackRollout({
      router,
      routes: [],
      pair: { stable: '', canary: '' },
      to: 'stable',
      reason: 'test',
      state: {
        ...state,
        step: 4,
        services: [
          { name: 'order', status: 'deployed' },
          { name: 'payment', status: 'deployed' },
          { name: 'inventory', status: 'untouched' },
        ],
      },
      clock: options.clock,
      sleep: options.sleep,
      random: () => 0,
      undo: { hooks: { saga: { services, run: options.hooks!.saga!.run } }, started: 4 },
    });
    expect(result.restored).toBe(false);
    expect(result.record.error).toBe('compensation-failed: payment');
    expect(ran).toEqual([]);
    expect(result.state?.services?.map((s) => s.status)).toEqual(['deployed', 'failed', 'untouched']);
  });

  it('refuses before anything runs when a route does not forward to the service’s stable target group', async () => {
    const { options, router, ran } = setup(null);
    router.routes.set(listener(3), [tw(tg('legacy'), 1)]);
    await expect(runPlan(options)).rejects.toThrow(
      /service 'inventory' has route .* which does not forward to its stable-target-group-arn .*Nothing was changed/,
    );
    expect(ran).toEqual([]);
    expect(router.writes).toEqual([]);
  });

  it('needs no listener or target group inputs for a saga (in place, or with targets of its own)', async () => {
    const { options } = setup(null);
    expect(options.target).toBeUndefined();
    expect((await runPlan(options)).decision).toBe('promote');
  });
});

describe('parseServices targets and metric-queries', () => {
  const base = '- {name: a, deploy: d, compensate: c, ';
  it.each([
    [
      `${base}targets: {listener-arn: x, stable-target-group-arn: ${tg('b')}, canary-target-group-arn: ${tg('g')}}}`,
      "'targets.listener-arn' must be an ELBv2 listener ARN",
    ],
    [
      `${base}targets: {stable-target-group-arn: ${tg('b')}, canary-target-group-arn: ${tg('g')}}}`,
      "needs a 'listener-arn' or 'rule-arn'",
    ],
    [
      `${base}targets: {listener-arn: ${listener(1)}, stable-target-group-arn: ${tg('b')}, canary-target-group-arn: ${tg('b')}}}`,
      'other than the stable one',
    ],
    [
      `${base}targets: {listener-arn: ${listener(1)}, stable-target-group-arn: ${tg('b')}}}`,
      "'targets.canary-target-group-arn' must be one target group ARN",
    ],
    [
      `${base}targets: {listener-arn: ${listener(1)}, stable-target-group-arn: ${tg('b').replace('us-east-1', 'eu-west-1')}, canary-target-group-arn: ${tg('g')}}}`,
      'one region and account',
    ],
    [
      `${base}targets: {listener-arn: ${listener(1)}, weight: 5, stable-target-group-arn: ${tg('b')}, canary-target-group-arn: ${tg('g')}}}`,
      "unknown key 'weight'",
    ],
    [
      `${base}metric-queries: [{id: q, namespace: N, metric: M, max: 1}]}`,
      "judged on the service's own targets",
    ],
    [`${base}metric-queries: [{id: sg_q, namespace: N, metric: M, max: 1}]}`, 'services.a.metric-queries'],
  ])('refuses %s, naming the service and the field', (text, message) => {
    expect(() => parseServices('services', text)).toThrow(InputError);
    expect(() => parseServices('services', text)).toThrow(message);
  });

  it('refuses a route two services claim', () => {
    const targets = (name: string) =>
      `targets: {listener-arn: ${listener(1)}, stable-target-group-arn: ${tg(`${name}-b`)}, canary-target-group-arn: ${tg(`${name}-g`)}}`;
    expect(() =>
      parseServices(
        'services',
        `- {name: a, deploy: d, compensate: c, ${targets('a')}}\n- {name: b, deploy: d, compensate: c, ${targets('b')}}`,
      ),
    ).toThrow(/service 'b' has route .* in its targets, as service 'a' does/);
  });
});
