import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  createRolloutState,
  InputError,
  parseGates,
  preSwitchJudgement,
  RouterError,
  runPlan,
  virtualTime,
  type AlarmSource,
  type AlarmState,
  type HookRun,
  type MetricRange,
  type MetricSource,
  type MetricWindow,
  type RawParameter,
  type RolloutState,
  type RouteReading,
  type RunEvent,
  type RunPlanOptions,
  type SideStats,
  type StrategyName,
  type TargetWeight,
  type TrafficRouter,
  type WritePreview,
} from '@shiftgate/core';

const TG = (name: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;
const STABLE = TG('blue');
const CANARY = TG('green');
const OTHER = TG('legacy');
const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';
const L1 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const MIN = 60_000;
const tw = (arn: string, weight: number): TargetWeight => ({ 'target-group-arn': arn, weight });

/** A router over a map; `onWrite` plays providers that fail or people who change weights. */
class MemoryRouter implements TrafficRouter {
  readonly routes = new Map<string, TargetWeight[]>();
  readonly writes: TargetWeight[][] = [];
  reads = 0;
  onWrite: (next: TargetWeight[], count: number) => 'apply' | 'skip' = () => 'apply';
  onRead: (count: number) => void = () => {};

  constructor(initial: TargetWeight[] = [tw(STABLE, 1)]) {
    this.routes.set(L1, initial);
  }

  async read(route: string): Promise<RouteReading> {
    this.onRead(++this.reads);
    const list = this.routes.get(route);
    if (!list) throw new Error(`no route ${route}`);
    return { route, kind: 'listener', 'target-groups': list.map((t) => ({ ...t })) };
  }

  preview(reading: RouteReading, targetGroups: TargetWeight[]): WritePreview {
    return { route: reading.route, operation: 'ModifyListener', request: targetGroups };
  }

  async write(reading: RouteReading, targetGroups: TargetWeight[]): Promise<void> {
    this.writes.push(targetGroups);
    if (this.onWrite(targetGroups, this.writes.length) === 'apply')
      this.routes.set(
        reading.route,
        targetGroups.map((t) => ({ ...t })),
      );
  }

  async loadBalancerOf(): Promise<string> {
    return LB;
  }

  /** The canary's share now, in percent. */
  canary(): number {
    const list = this.routes.get(L1)!;
    const s = list.find((t) => t['target-group-arn'] === STABLE)?.weight ?? 0;
    const c = list.find((t) => t['target-group-arn'] === CANARY)?.weight ?? 0;
    return s + c === 0 ? 0 : (100 * c) / (s + c);
  }
}

const side = (requests: number, errors: number, p99: number, healthy = 3, unhealthy = 0): SideStats => ({
  requests,
  errors,
  p99,
  healthy,
  unhealthy,
});

/** Metrics from a function of the window start; throws while `failing` returns true. */
function scripted(
  canary: (start: number) => SideStats | null,
  failing: (calls: number) => boolean = () => false,
): MetricSource & { calls: number } {
  const source = {
    calls: 0,
    async windows(range: MetricRange): Promise<MetricWindow[]> {
      source.calls++;
      if (failing(source.calls)) throw new Error('GetMetricData failed: Throttling: Rate exceeded');
      const out: MetricWindow[] = [];
      for (let t = range.start; t < range.end; t += MIN) {
        out.push({
          start: new Date(t).toISOString(),
          canary: canary(t),
          baseline: side(2000, 2, 200, 10),
        });
      }
      return out;
    },
  };
  return source;
}

const healthy = () => side(400, 0, 210);
const failing = () => side(400, 40, 210);

function stateFor(strategy: StrategyName, parameters: Record<string, RawParameter> = {}): RolloutState {
  const plan = buildPlan(strategy, parameters);
  return createRolloutState({
    strategy,
    parameters: plan.parameters,
    plan: plan.steps,
    compensation: plan.compensation,
    now: new Date(Date.UTC(2026, 0, 1)),
  });
}

function setup(
  overrides: Partial<Omit<RunPlanOptions, 'router'>> & {
    metricsSource?: MetricSource;
    router?: MemoryRouter;
  } = {},
) {
  const time = virtualTime();
  const router = overrides.router ?? new MemoryRouter();
  const events: RunEvent[] = [];
  const metricsSource = overrides.metricsSource ?? scripted(healthy);
  const options: RunPlanOptions = {
    state: stateFor('canary', { steps: '10,50,100', 'bake-time': '5m' }),
    target: { routes: [L1], pair: { stable: STABLE, canary: CANARY } },
    router,
    metrics: () => metricsSource,
    gates: parseGates({ 'min-requests': '500', 'max-consecutive-errors': '2' }),
    period: MIN,
    metricDelay: 2 * MIN,
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0,
    onEvent: (e) => events.push(e),
    ...overrides,
  };
  return { options, router, events, time };
}

describe('runPlan', () => {
  it('runs a healthy canary to promotion through every shift and bake', async () => {
    const { options, router, events, time } = setup();
    const started = time.clock.now();
    const result = await runPlan(options);
    expect(result.decision).toBe('promote');
    expect(result.state).toMatchObject({
      status: 'promoted',
      step: 5,
      weights: { stable: 0, canary: 100 },
      'load-balancer-arn': LB,
      routes: [L1],
      'initial-weights': { [L1]: [tw(STABLE, 1)] },
    });
    expect(router.canary()).toBe(100);
    expect(result.trace.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['shift', 'passed'],
      ['bake', 'passed'],
      ['shift', 'passed'],
      ['bake', 'passed'],
      ['shift', 'passed'],
    ]);
    expect(result.trace.steps[1]!.message).toMatch(/^promote: every gate passed after 5m/);
    // Each bake waits for five published minutes: simulated time, not wall time.
    expect(time.clock.now() - started).toBeGreaterThanOrEqual(10 * MIN);
    expect(events.filter((e) => e.type === 'poll').length).toBeGreaterThan(2);
  });

  it.each([
    ['a canary failing 10% of requests', { metricsSource: scripted(failing) }, /canary error rate 10%/],
    [
      'metrics that cannot be read',
      { metricsSource: scripted(healthy, () => true) },
      /3 provider errors in a row > max-consecutive-errors 2/,
    ],
    [
      'a regression at the second bake',
      { metricsSource: scripted((t) => (t >= Date.UTC(2026, 0, 1) + 8 * MIN ? failing() : healthy())) },
      /canary error rate/,
    ],
  ])('rolls back to stable on %s', async (_name, overrides, reason) => {
    const { options, router } = setup(overrides);
    const result = await runPlan(options);
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(reason);
    expect(result.reason).toMatch(/traffic restored to stable$/);
    expect(result.state.status).toBe('rolled-back');
    expect(result.state.weights).toEqual({ stable: 100, canary: 0 });
    expect(router.canary()).toBe(0);
    expect(result.restored).toBe(true);
    expect(result.trace.rollback?.routes[0]?.changed).toBe(true);
    expect(result.trace.steps.at(-1)!.outcome).toBe('failed');
  });

  it('restores exactly the weights before the rollout with rollback-to previous', async () => {
    const router = new MemoryRouter([tw(STABLE, 800), tw(OTHER, 200)]);
    const { options } = setup({ router, metricsSource: scripted(failing), rollbackTo: 'previous' });
    const result = await runPlan(options);
    expect(result.decision).toBe('rollback');
    expect(router.routes.get(L1)).toEqual([tw(STABLE, 800), tw(OTHER, 200)]);
  });

  it('ends paused at an approval step, and a second run resumes after it', async () => {
    const { options, router } = setup({
      state: stateFor('ab-testing', { split: '80,20', duration: '5m' }),
    });
    const first = await runPlan(options);
    expect(first.decision).toBe('paused');
    expect(first.state).toMatchObject({ status: 'paused', step: 3, weights: { stable: 80, canary: 20 } });
    expect(first.trace.steps[1]!.message).toMatch(/^A\/B verdict: /);
    expect(router.canary()).toBe(20);
    await expect(runPlan({ ...options, state: first.state })).rejects.toThrow(/no step left to run/);
  });

  it('resumes a state shift-traffic left mid-plan, with compare-and-set on the weights it recorded', async () => {
    const { options, router } = setup();
    router.routes.set(L1, [tw(STABLE, 90), tw(CANARY, 10)]);
    const state: RolloutState = {
      ...options.state,
      step: 1,
      status: 'in-progress',
      routes: [L1],
      'stable-target-group-arn': STABLE,
      'canary-target-group-arn': CANARY,
      'load-balancer-arn': LB,
      'initial-weights': { [L1]: [tw(STABLE, 1)] },
      weights: { stable: 90, canary: 10 },
    };
    const result = await runPlan({ ...options, state, target: null });
    expect(result.decision).toBe('promote');
    expect(result.trace.steps[0]!.kind).toBe('bake');
  });

  it('rolls back when someone else moved the weights between steps', async () => {
    const router = new MemoryRouter();
    // During the first bake, someone sends everything back to 95/5 by hand.
    const metricsSource = scripted(healthy);
    const windows = metricsSource.windows.bind(metricsSource);
    metricsSource.windows = async (range) => {
      router.routes.set(L1, [tw(STABLE, 95), tw(CANARY, 5)]);
      return windows(range);
    };
    const { options } = setup({ router, metricsSource });
    const result = await runPlan(options);
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(/does not carry the expected weights: expected stable 90% \/ canary 10%/);
    expect(router.canary()).toBe(0);
  });

  it('retries a throttled shift a period later and records the retries', async () => {
    const { options, router } = setup();
    let throttles = 2;
    router.onRead = () => {
      if (throttles-- > 0)
        throw new RouterError({
          operation: 'DescribeListeners',
          route: L1,
          code: 'Throttling',
          rejected: true,
          message: 'DescribeListeners on listener failed: Throttling: Rate exceeded',
        });
    };
    // The load balancer is known, so the first read is the first shift's.
    const result = await runPlan({ ...options, state: { ...options.state, 'load-balancer-arn': LB } });
    expect(result.decision).toBe('promote');
    expect(result.trace.steps[0]!.retries).toHaveLength(2);
  });

  it('rolls back when the provider keeps failing a shift past max-consecutive-errors', async () => {
    const { options, router } = setup();
    // The second shift's write is throttled three times in a row (after the SDK's own retries).
    router.onWrite = (_next, count) => {
      if (count > 2 && count < 7)
        throw new RouterError({
          operation: 'ModifyListener',
          route: L1,
          code: 'Throttling',
          rejected: true,
          message: 'ModifyListener failed: Throttling: Rate exceeded',
        });
      return 'apply';
    };
    const result = await runPlan(options);
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(/3 provider errors in a row > max-consecutive-errors 2 at step 3/);
    expect(router.canary()).toBe(0);
  });

  it('restores traffic when cancelled mid-bake, before it returns', async () => {
    const controller = new AbortController();
    const time = virtualTime();
    let sleeps = 0;
    const { options, router } = setup({
      clock: time.clock,
      sleep: async (ms, signal) => {
        await time.sleep(ms, signal);
        if (++sleeps === 3) controller.abort();
      },
      signal: controller.signal,
    });
    const result = await runPlan(options);
    expect(result.cancelled).toBe(true);
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(/^cancelled during step 2 \(bake\); traffic restored to stable$/);
    expect(router.canary()).toBe(0);
    expect(result.trace.steps.at(-1)!.outcome).toBe('cancelled');
  });

  it('runs flag hooks with SHIFTGATE_* variables and sets exposure back to 0 on rollback', async () => {
    const runs: HookRun[] = [];
    const { options, router } = setup({
      state: stateFor('feature-flag', { 'flag-command': './flag.sh', 'flag-steps': '10,100' }),
      hooks: {
        command: async (run) => {
          runs.push(run);
          return { 'exit-code': run.env.SHIFTGATE_EXPOSURE === '100' ? 3 : 0 };
        },
        flagCommand: './flag.sh',
      },
      // At 100% to the canary the baseline has no traffic; this test is about hooks, not gates.
      gates: parseGates({ 'min-requests': '500', 'max-latency-increase': '1000%' }),
      metricsSource: scripted(healthy),
    });
    const result = await runPlan(options);
    expect(runs.map((r) => [r.command, r.env.SHIFTGATE_EXPOSURE, r.env.SHIFTGATE_PHASE])).toEqual([
      ['./flag.sh', '10', 'rollout'],
      ['./flag.sh', '100', 'rollout'],
      ['./flag.sh', '0', 'rollback'],
    ]);
    expect(runs[0]!.env).toMatchObject({ SHIFTGATE_STRATEGY: 'feature-flag', SHIFTGATE_HOOK: 'flag' });
    expect(result.reason).toMatch(/^flag command exited with code 3 setting exposure 100%: rollback/);
    expect(result.trace.rollback?.undo).toEqual(['flag command set exposure to 0% (exit code 0)']);
    expect(router.canary()).toBe(0);
  });

  describe('pre-switch gate (blue-green)', () => {
    it('switches once the idle canary hosts are healthy', async () => {
      const { options, router } = setup({
        state: stateFor('blue-green', { 'pre-switch-checks': true, 'bake-time': '5m' }),
        gates: parseGates({ 'min-requests': '500', 'max-latency-increase': '1000%' }),
      });
      const result = await runPlan(options);
      expect(result.trace.steps[0]).toMatchObject({ kind: 'gate', outcome: 'passed' });
      expect(result.trace.steps[0]!.message).toMatch(/canary healthy hosts 100% \(3 of 3\)/);
      expect(router.writes.length).toBeGreaterThan(0);
    });

    it('refuses to switch to unhealthy hosts and moves no traffic', async () => {
      const { options, router } = setup({
        state: stateFor('blue-green', { 'pre-switch-checks': true }),
        metricsSource: scripted(() => side(0, 0, 0, 1, 2)),
      });
      const result = await runPlan(options);
      expect(result.decision).toBe('rollback');
      expect(result.reason).toMatch(
        /pre-switch gate: rollback: canary healthy hosts 33.3% \(1 of 3\) < min-healthy-percent 95%/,
      );
      expect(result.reason).toMatch(/traffic was not moved by this rollout$/);
      expect(router.writes).toHaveLength(0);
    });
  });

  it.each<[string, Partial<Omit<RunPlanOptions, 'router'>>, RegExp]>([
    [
      'a rolling plan without a batch hook',
      { state: stateFor('rolling', { cells: 'a,b' }) },
      /Plan step 1 of the rolling plan is a batch step, which needs a batch hook.*nothing was changed.*'waves' matrix/,
    ],
    [
      'a flag plan without a command runner',
      { state: stateFor('feature-flag', { 'flag-command': './f.sh' }), hooks: { flagCommand: './f.sh' } },
      /is a hook step, which needs a command runner/,
    ],
    [
      "a state's flag command when this run configures none",
      {
        state: stateFor('feature-flag', { 'flag-command': 'touch /tmp/x' }),
        hooks: { command: async () => ({ 'exit-code': 0 }) },
      },
      /Plan step 2 is a flag step, which runs this run's 'flag-command'; it is empty, so nothing was changed\. The rollout state carries a command of its own, which shiftgate never runs/,
    ],
    [
      "a state's flag command that differs from this run's",
      {
        state: stateFor('feature-flag', { 'flag-command': 'touch /tmp/x' }),
        hooks: { command: async () => ({ 'exit-code': 0 }), flagCommand: './flag.sh' },
      },
      /Plan step 2 of the rollout state carries a flag command that differs from this run's 'flag-command'/,
    ],
    ['a promoted state', { state: { ...stateFor('canary'), status: 'promoted' } }, /already promoted/],
    ['no routes', { target: null }, /Input 'listener-arn' \(or 'rule-arn'\) is required/],
    [
      'the same target group twice',
      { target: { routes: [L1], pair: { stable: STABLE, canary: STABLE } } },
      /Input 'canary-target-group-arn' must be a target group other than the stable one/,
    ],
  ])('refuses %s before changing anything', async (_name, overrides, message) => {
    const { options, router } = setup(overrides);
    const error = await runPlan(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect(router.writes).toHaveLength(0);
  });

  it('refuses alarm names that do not exist before any write', async () => {
    const alarms: AlarmSource = {
      async states(names) {
        throw new InputError('alarms', names[0], 'existing CloudWatch alarm names');
      },
    };
    const { options, router } = setup({
      alarms,
      gates: parseGates({}, { alarms: ['nope'] }),
    });
    await expect(runPlan(options)).rejects.toThrow(/Input 'alarms' must be existing CloudWatch alarm names/);
    expect(router.writes).toHaveLength(0);
  });

  it('rolls back on an alarm that fires during a bake', async () => {
    let polls = 0;
    const alarms: AlarmSource = {
      async states(names) {
        polls++;
        return Object.fromEntries(names.map((n) => [n, (polls > 3 ? 'ALARM' : 'OK') as AlarmState]));
      },
    };
    const { options, router } = setup({ alarms, gates: parseGates({}, { alarms: ['web-5xx'] }) });
    const result = await runPlan(options);
    expect(result.reason).toMatch(/alarm 'web-5xx' in ALARM at window \d+: rollback/);
    expect(router.canary()).toBe(0);
  });

  it('ends inconclusive (and restores traffic) when evidence runs out and on-inconclusive is fail', async () => {
    const { options, router } = setup({
      metricsSource: scripted(() => side(5, 0, 210)),
      gates: parseGates({ 'min-requests': '500', 'on-inconclusive': 'fail' }),
    });
    const result = await runPlan(options);
    expect(result.decision).toBe('inconclusive');
    expect(result.reason).toMatch(/^inconclusive after 25m \(on-inconclusive: fail\)/);
    expect(router.canary()).toBe(0);
  });

  it('reports a rollback that could not restore traffic', async () => {
    const { options, router } = setup({ metricsSource: scripted(failing) });
    router.onWrite = (next) =>
      next.some((t) => t['target-group-arn'] === CANARY && t.weight === 0) && router.writes.length > 2
        ? 'skip'
        : 'apply';
    const result = await runPlan({ ...options, verify: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10 } });
    expect(result.restored).toBe(false);
    expect(result.state.status).toBe('failed');
    expect(result.reason).toMatch(/restoring traffic to stable FAILED, check the routes now/);
  });
});

describe('preSwitchJudgement', () => {
  const gates = parseGates({}, { alarms: ['a'], smoke: true });
  const win = (healthy: number | null, unhealthy: number | null): MetricWindow => ({
    canary: { requests: null, errors: null, p99: null, healthy, unhealthy },
    baseline: null,
  });
  it.each<[string, MetricWindow[], AlarmState | undefined, number | null, string]>([
    ['all healthy', [win(4, 0)], 'OK', 0, 'Successful'],
    ['95% healthy is the edge', [win(19, 1)], 'OK', 0, 'Successful'],
    ['below the minimum', [win(18, 2)], 'OK', 0, 'Failed'],
    ['the latest window with data counts', [win(1, 3), win(4, 0), win(null, null)], 'OK', 0, 'Successful'],
    ['no host data', [win(null, null)], 'OK', 0, 'Inconclusive'],
    ['an alarm in ALARM', [win(4, 0)], 'ALARM', 0, 'Failed'],
    ['an alarm without data', [win(4, 0)], 'INSUFFICIENT_DATA', 0, 'Inconclusive'],
    ['a failing smoke command', [win(4, 0)], 'OK', 2, 'Failed'],
  ])('%s', (_name, windows, alarm, smoke, phase) => {
    const verdict = preSwitchJudgement(gates, {
      windows,
      alarms: alarm ? { a: alarm } : {},
      smoke: smoke === null ? null : { 'exit-code': smoke },
    });
    expect(verdict.phase).toBe(phase);
  });
});
