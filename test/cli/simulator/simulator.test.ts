import { describe, expect, it } from 'vitest';
import {
  InputError,
  buildPlan,
  createRolloutState,
  parseGates,
  runPlan,
  shiftRoutes,
  virtualTime,
  type RolloutState,
} from '@shiftgate/core';
import {
  binomial,
  createSimulation,
  hashSeed,
  mulberry32,
  nearestRank,
  parseFault,
  parseScenario,
  poisson,
  slowerThan,
  TrafficModel,
  SIMULATED,
  simulatedCustomValue,
  type Fault,
  type Scenario,
} from '@shiftgate/cli';

const MIN = 60_000;
const START = Date.UTC(2026, 0, 1);

describe('random', () => {
  it('repeats a sequence for a seed and differs for another', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('mixes seeds so neighbouring minutes get unrelated generators', () => {
    expect(hashSeed(1, START, 'canary')).not.toBe(hashSeed(1, START + MIN, 'canary'));
    expect(hashSeed(1, START, 'canary')).not.toBe(hashSeed(1, START, 'baseline'));
    expect(hashSeed(1, START, 'canary')).toBe(hashSeed(1, START, 'canary'));
  });

  it.each([
    [3, 0.15],
    [100, 0.05],
  ])('draws Poisson counts around a mean of %d', (mean, tolerance) => {
    const random = mulberry32(7);
    let sum = 0;
    for (let i = 0; i < 4000; i++) sum += poisson(random, mean);
    expect(Math.abs(sum / 4000 - mean) / mean).toBeLessThan(tolerance);
  });

  it.each([
    [20, 0.1],
    [1000, 0.01],
    [1000, 0.2],
  ])('draws binomial counts of n %d and p %d around n·p', (n, p) => {
    const random = mulberry32(9);
    let sum = 0;
    for (let i = 0; i < 3000; i++) {
      const k = binomial(random, n, p);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThanOrEqual(n);
      sum += k;
    }
    expect(Math.abs(sum / 3000 - n * p) / (n * p)).toBeLessThan(0.08);
  });
});

describe('TrafficModel', () => {
  const model = (scenario: Scenario, seed = 1) => {
    const m = new TrafficModel({ seed, start: START, scenario, at: 5 });
    m.setShare(START, 10);
    return m;
  };
  const mean = (m: TrafficModel, side: 'canary' | 'baseline', from: number, to: number) => {
    const minutes = [];
    for (let i = from; i < to; i++) minutes.push(m.minute(side, START + i * MIN));
    const requests = minutes.reduce((s, x) => s + (x.requests ?? 0), 0);
    const errors = minutes.reduce((s, x) => s + (x.errors ?? 0), 0);
    const p99 = minutes.reduce((s, x) => s + (x.p99 ?? 0), 0) / minutes.length;
    return { requests: requests / minutes.length, errorRate: errors / requests, p99, last: minutes.at(-1)! };
  };

  it('is deterministic for a seed, whatever order minutes are read in', () => {
    const a = model('healthy', 5);
    const b = model('healthy', 5);
    const later = b.minute('canary', START + 7 * MIN);
    expect(a.minute('canary', START + 3 * MIN)).toEqual(b.minute('canary', START + 3 * MIN));
    expect(a.minute('canary', START + 7 * MIN)).toEqual(later);
    expect(model('healthy', 6).minute('canary', START + 3 * MIN)).not.toEqual(
      a.minute('canary', START + 3 * MIN),
    );
  });

  it('counts slow requests from the log-normal latency that has the profile’s p99', () => {
    expect(slowerThan(500, 500)).toBeCloseTo(0.01, 5);
    expect(slowerThan(750, 500)).toBeCloseTo(0.0649, 3);
    expect(slowerThan(180, 500)).toBeLessThan(1e-5);
    const m = new TrafficModel({ seed: 2, start: START, scenario: 'slow-leak', at: 0 });
    m.setShare(START, 50);
    // The leak's p99 passes 500ms at minute 13; over the minutes after it, more than 1% are slower.
    let slow = 0;
    let requests = 0;
    for (let i = 20; i < 30; i++) {
      const minute = m.minute('canary', START + i * MIN, 500);
      slow += minute.slow!;
      requests += minute.requests!;
    }
    expect(slow / requests).toBeCloseTo(slowerThan(180 + 25 * 25.5, 500), 1);
    expect(slow / requests).toBeGreaterThan(0.01);
    // Asking for the count changes nothing else in the minute.
    const { slow: _, ...rest } = m.minute('canary', START + 3 * MIN, 500);
    expect(rest).toEqual(m.minute('canary', START + 3 * MIN));
    expect(m.minute('canary', START + 3 * MIN)).not.toHaveProperty('slow');
  });

  it('splits requests by the weights, averaged within a minute', () => {
    const m = model('healthy');
    expect(mean(m, 'canary', 0, 30).requests).toBeGreaterThan(180);
    expect(mean(m, 'canary', 0, 30).requests).toBeLessThan(220);
    expect(mean(m, 'baseline', 0, 30).requests).toBeGreaterThan(1750);
    m.setShare(START + 60 * MIN + 30_000, 50);
    expect(m.averageShare(START + 60 * MIN)).toBe(30);
    expect(m.shareAt(START + 61 * MIN)).toBe(50);
  });

  it('publishes no request datapoints for a target group without traffic', () => {
    const m = new TrafficModel({ seed: 1, start: START, scenario: 'healthy' });
    expect(m.minute('canary', START)).toEqual({
      requests: null,
      errors: null,
      p99: null,
      healthy: 4,
      unhealthy: 0,
    });
  });

  it.each<[Scenario, (before: ReturnType<typeof mean>, after: ReturnType<typeof mean>) => void]>([
    [
      'healthy',
      (before, after) => {
        expect(after.errorRate).toBeLessThan(0.005);
        expect(Math.abs(after.p99 - before.p99)).toBeLessThan(30);
      },
    ],
    [
      'step-regression',
      (before, after) => {
        expect(before.errorRate).toBeLessThan(0.005);
        expect(after.errorRate).toBeGreaterThan(0.04);
        expect(after.p99).toBeGreaterThan(2 * before.p99);
      },
    ],
    [
      'slow-leak',
      (before, after) => {
        expect(after.p99).toBeGreaterThan(before.p99 + 100);
        expect(after.last.p99!).toBeGreaterThan(after.p99);
      },
    ],
    [
      'low-traffic',
      (_before, after) => {
        expect(after.requests).toBeLessThan(6);
      },
    ],
    [
      'host-failure',
      (before, after) => {
        expect(before.last.unhealthy).toBe(0);
        expect(after.last).toMatchObject({ healthy: 2, unhealthy: 2 });
        expect(after.errorRate).toBeGreaterThan(0.01);
      },
    ],
  ])('plays the %s canary', (scenario, check) => {
    const m = model(scenario);
    check(mean(m, 'canary', 0, 5), mean(m, 'canary', 5, 20));
    // The baseline stays healthy in every scenario.
    expect(mean(m, 'baseline', 5, 20).errorRate).toBeLessThan(0.005);
  });

  it('publishes a minute only after the publication delay', () => {
    const m = new TrafficModel({ seed: 1, start: START, scenario: 'healthy', publicationDelay: 90_000 });
    expect(m.published(START, START + MIN + 89_999)).toBe(false);
    expect(m.published(START, START + MIN + 90_000)).toBe(true);
  });

  it('refuses an unknown scenario by name', () => {
    expect(() => parseScenario('--scenario', 'meltdown')).toThrow(
      "Input '--scenario' must be one of healthy, step-regression, slow-leak, low-traffic, host-failure, got 'meltdown'",
    );
  });
});

describe('simulated providers', () => {
  const pair = { stable: SIMULATED.stableTargetGroupArn, canary: SIMULATED.canaryTargetGroupArn };
  const sim = (faults: Fault[] = [], scenario: Scenario = 'healthy') => {
    const time = virtualTime(START);
    return { time, ...createSimulation({ seed: 3, scenario, clock: time.clock, faults }) };
  };
  const shift = (s: ReturnType<typeof sim>, canary: number) =>
    shiftRoutes(
      s.router,
      { routes: s.routes, pair, canary, expectation: null, force: false, dryRun: false },
      { sleep: s.time.sleep, random: () => 0 },
    );

  it('starts with everything on stable and moves the model with verified shifts', async () => {
    const s = sim();
    expect(s.canaryShare()).toBe(0);
    s.time.advance(MIN);
    await shift(s, 25);
    expect(s.canaryShare()).toBe(25);
    expect(s.model.shareAt(s.time.clock.now())).toBe(25);
    expect(s.router.applied.map((a) => a['target-groups'].map((t) => t.weight))).toEqual([
      [1, 0],
      [75, 25],
    ]);
  });

  it('throttles reads the given number of times', async () => {
    const s = sim([{ kind: 'throttle', target: 'read', times: 2 }]);
    await expect(s.router.read(s.routes[0]!)).rejects.toThrow(/Throttling: Rate exceeded/);
    await expect(s.router.read(s.routes[0]!)).rejects.toMatchObject({ code: 'Throttling', rejected: true });
    await expect(s.router.read(s.routes[0]!)).resolves.toMatchObject({ kind: 'listener' });
  });

  it('loses a write: not applied, outcome unknown, and the shift fails without changing traffic', async () => {
    const s = sim([{ kind: 'lost-write', write: 2 }]);
    const error = await shift(s, 10).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/the request was lost on its way/);
    expect(s.canaryShare()).toBe(0);
  });

  it('loses a response: the change applied and the read-back settles it', async () => {
    const s = sim([{ kind: 'lost-response', write: 2 }]);
    const result = await shift(s, 10);
    expect(result.changed).toBe(true);
    expect(s.canaryShare()).toBe(10);
  });

  it('plays someone else reverting a write, now or later', async () => {
    const now = sim([{ kind: 'revert', write: 2 }]);
    await expect(shift(now, 10)).rejects.toThrow(/reverted by someone else or never applied/);
    const later = sim([{ kind: 'revert', write: 2, afterMs: 5 * MIN }]);
    await shift(later, 10);
    expect(later.canaryShare()).toBe(10);
    later.time.advance(5 * MIN);
    expect(later.canaryShare()).toBe(0);
  });

  it('gives no data for windows not yet published, and sums whole minutes per window', async () => {
    const s = sim();
    await shift(s, 50);
    s.time.advance(10 * MIN);
    const metrics = s.metrics(2 * MIN);
    const now = s.time.clock.now();
    const end = Math.floor(now / MIN) * MIN;
    const windows = await metrics.windows({ start: end - 6 * MIN, end });
    expect(windows).toHaveLength(3);
    expect(windows[2]!.canary).toEqual({
      requests: null,
      errors: null,
      p99: null,
      healthy: null,
      unhealthy: null,
    });
    const first = windows[0]!.canary!;
    const minutes = [0, 1].map((i) => s.model.minute('canary', end - 6 * MIN + i * MIN));
    expect(first.requests).toBe(minutes[0]!.requests! + minutes[1]!.requests!);
    // The window's p99 is the nearest-rank p99 of both minutes' requests, as CloudWatch computes it.
    const all = Float64Array.from([...minutes[0]!.latencies!, ...minutes[1]!.latencies!]).sort();
    expect(first.p99).toBe(Math.round(nearestRank(all, 99) * 10) / 10);
    expect(first.p99).toBeGreaterThanOrEqual(Math.min(minutes[0]!.p99!, minutes[1]!.p99!) - 0.1);
    expect(first.p99).toBeLessThanOrEqual(Math.max(minutes[0]!.p99!, minutes[1]!.p99!) + 0.1);
    expect(() => s.metrics(90_000)).toThrow(InputError);
    const counted = await s.metrics(2 * MIN, 500).windows({ start: end - 6 * MIN, end });
    expect(counted[0]!.canary!.slow).toBe(
      [0, 1].reduce((n, i) => n + s.model.minute('canary', end - 6 * MIN + i * MIN, 500).slow!, 0),
    );
    expect(counted[0]!.baseline).not.toHaveProperty('slow');
    expect(counted[2]!.canary!.slow).toBeNull();
  });

  it('fails metric and alarm reads while faults last', async () => {
    const s = sim([
      { kind: 'throttle', target: 'metrics', times: 1 },
      { kind: 'provider-error', target: 'alarms', times: 1 },
    ]);
    s.time.advance(10 * MIN);
    await expect(s.metrics(MIN).windows({ start: START, end: START + MIN })).rejects.toThrow(
      /GetMetricData .* failed: Throttling: Rate exceeded \(simulated\)/,
    );
    await expect(s.metrics(MIN).windows({ start: START, end: START + MIN })).resolves.toHaveLength(1);
    await expect(s.alarms.states(['canary-5xx'])).rejects.toThrow(/DescribeAlarms failed: InternalFailure/);
    await expect(s.alarms.states(['canary-5xx'])).resolves.toEqual({ 'canary-5xx': 'INSUFFICIENT_DATA' });
  });

  it('fires the 5xx alarm on a regressed canary and refuses unknown alarm names', async () => {
    const s = sim([], 'step-regression');
    await shift(s, 50);
    s.time.advance(20 * MIN);
    expect(await s.alarms.states(['canary-5xx', 'canary-unhealthy-hosts'])).toEqual({
      'canary-5xx': 'ALARM',
      'canary-unhealthy-hosts': 'OK',
    });
    await expect(s.alarms.states(['nope'])).rejects.toThrow(
      "Input 'alarms' must be one of the simulation's alarms: canary-5xx, canary-latency, canary-unhealthy-hosts, got 'nope'",
    );
  });

  it.each([
    ['throttle:metrics:3', { kind: 'throttle', target: 'metrics', times: 3 }],
    ['provider-error:write:2:1', { kind: 'provider-error', target: 'write', times: 2, after: 1 }],
    ['lost-write:2', { kind: 'lost-write', write: 2 }],
    ['lost-response:3', { kind: 'lost-response', write: 3 }],
    ['revert:4:90s', { kind: 'revert', write: 4, afterMs: 90_000 }],
  ])('parses the fault %s', (text, fault) => {
    expect(parseFault('--fault', text)).toEqual(fault);
  });

  it.each(['throttle:disk:3', 'lost-write:0', 'revert:2:5m', 'explode'])('refuses the fault %s', (text) => {
    expect(() => parseFault('--fault', text)).toThrow(/^Input '--fault' must be 'throttle:/);
  });
});

describe('simulated metric queries', () => {
  const side = (requests: number | null, errors: number | null) => ({
    requests,
    errors,
    p99: null,
    healthy: 4,
    unhealthy: 0,
  });
  const max = { id: 'cpu', label: 'cpu', direction: 'max' as const, limit: 80 };
  const min = { id: 'orders', label: 'orders', direction: 'min' as const, limit: 100 };

  it('sit inside their limit while the canary fails no more than the baseline', () => {
    expect(simulatedCustomValue(max, side(1000, 1), side(1000, 5))).toBe(48);
    expect(simulatedCustomValue(min, side(1000, 1), side(1000, 5))).toBe(140);
  });

  it('cross it as the canary fails more: 10% of the limit per point of error rate over the baseline', () => {
    expect(simulatedCustomValue(max, side(1000, 61), side(1000, 1))).toBe(96);
    expect(simulatedCustomValue(min, side(1000, 61), side(1000, 1))).toBe(80);
  });

  it("compare with the model's healthy rate when the baseline serves nothing, and have no data without the canary's", () => {
    expect(simulatedCustomValue(max, side(1000, 41), side(null, null))).toBe(80);
    expect(simulatedCustomValue(max, side(null, null), side(1000, 1))).toBeNull();
    expect(simulatedCustomValue(max, side(0, 0), side(1000, 1))).toBeNull();
  });
});

describe('the orchestrator over the simulator', () => {
  function canaryState(): RolloutState {
    const plan = buildPlan('canary', { steps: '5,25,50,100', 'bake-time': '5m' });
    return createRolloutState({
      strategy: 'canary',
      parameters: plan.parameters,
      plan: plan.steps,
      now: new Date(START),
    });
  }
  async function deploy(scenario: Scenario, seed: number, faults: Fault[] = []) {
    const time = virtualTime(START);
    const s = createSimulation({ seed, scenario, clock: time.clock, at: 8, faults });
    const result = await runPlan({
      state: canaryState(),
      target: { routes: s.routes, pair: s.pair },
      router: s.router,
      metrics: () => s.metrics(MIN),
      alarms: s.alarms,
      gates: parseGates({}),
      period: MIN,
      metricDelay: 2 * MIN,
      clock: time.clock,
      sleep: time.sleep,
      random: mulberry32(seed),
    });
    return { result, s, minutes: (time.clock.now() - START) / MIN };
  }

  it('promotes a healthy canary', async () => {
    const { result, s } = await deploy('healthy', 1);
    expect(result.decision).toBe('promote');
    expect(s.canaryShare()).toBe(100);
  });

  it.each<[Scenario, RegExp]>([
    ['step-regression', /canary error rate/],
    ['slow-leak', /p99|error rate/],
    ['low-traffic', /inconclusive after 25m \(on-inconclusive: rollback\).*min-requests 100/],
    ['host-failure', /canary healthy hosts/],
  ])('rolls back a %s canary to stable', async (scenario, reason) => {
    const { result, s } = await deploy(scenario, 1);
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(reason);
    expect(s.canaryShare()).toBe(0);
  });

  it('gives the same run for the same seed', async () => {
    const a = await deploy('step-regression', 11);
    const b = await deploy('step-regression', 11);
    expect(JSON.stringify(b.result.trace)).toBe(JSON.stringify(a.result.trace));
    expect(b.minutes).toBe(a.minutes);
  });

  it('rides out throttled metric reads within max-consecutive-errors', async () => {
    const { result } = await deploy('healthy', 2, [
      { kind: 'throttle', target: 'metrics', times: 3, after: 1 },
    ]);
    expect(result.decision).toBe('promote');
    const bake = result.trace.steps[1]!.health as { windows: object[] };
    expect(bake.windows.filter((w) => 'error' in w)).toHaveLength(3);
  });

  it('rolls back when someone else reverts a shift during a bake', async () => {
    const { result, s } = await deploy('healthy', 2, [{ kind: 'revert', write: 3, afterMs: 2 * MIN }]);
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(
      /expected stable 75% \/ canary 25% \(from the rollout state\), found stable shop-blue 95, canary shop-green 5/,
    );
    expect(s.canaryShare()).toBe(0);
  });
});

describe('sampled latencies', () => {
  it('report each minute’s percentile and counts from the same requests', () => {
    const model = new TrafficModel({ seed: 3, start: START, scenario: 'healthy', rpm: 1000 });
    model.setShare(START, 50);
    const m = model.minute('canary', START + 2 * MIN, {
      slowThreshold: 200,
      overThreshold: 150,
      percentile: 90,
    });
    const latencies = m.latencies!;
    expect(latencies.length).toBe(m.requests);
    expect(m.p99).toBe(Math.round(nearestRank(latencies, 90) * 10) / 10);
    expect(m.slow).toBe(latencies.filter((v) => v > 200).length);
    expect(m.over).toBe(latencies.filter((v) => v > 150).length);
    // The same minute asked again is the same minute.
    expect(model.minute('canary', START + 2 * MIN, { slowThreshold: 200 }).slow).toBe(m.slow);
  });

  it('put about 1% of requests above the true p99 over many minutes', () => {
    const model = new TrafficModel({ seed: 5, start: START, scenario: 'healthy', rpm: 2000 });
    model.setShare(START, 50);
    let slow = 0;
    let requests = 0;
    for (let i = 0; i < 30; i++) {
      const m = model.minute('canary', START + i * MIN, 180);
      slow += m.slow!;
      requests += m.requests!;
    }
    expect(slow / requests).toBeGreaterThan(0.007);
    expect(slow / requests).toBeLessThan(0.013);
  });

  it('takes a nearest-rank percentile: the ⌈p·n⌉-th smallest value', () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(nearestRank(sorted, 99)).toBe(10);
    expect(nearestRank(sorted, 90)).toBe(9);
    expect(nearestRank(sorted, 50)).toBe(5);
  });
});
