import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  applyAllOrNothing,
  restoreRoutes,
  RouterError,
  RouteTransactionError,
  rollbackTargetGroups,
  shiftRoutes,
  WeightsChangedError,
  WeightsNotVerifiedError,
  type Logger,
  type RouteReading,
  type TargetWeight,
  type TrafficRouter,
  type WritePreview,
} from '@shiftgate/core';

const TG = (name: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;
const STABLE = TG('blue');
const CANARY = TG('green');
const pair = { stable: STABLE, canary: CANARY };
const L1 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const L2 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/aaaaaaaaaaaaaaaa';
const L3 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/bbbbbbbbbbbbbbbb';
const tw = (arn: string, weight: number): TargetWeight => ({ 'target-group-arn': arn, weight });

type Event = { op: 'read' | 'write'; route: string; targetGroups?: TargetWeight[] };

/** A router over a map, with hooks to play the other people and failures of a real provider. */
class MemoryRouter implements TrafficRouter {
  readonly routes = new Map<string, TargetWeight[]>();
  readonly events: Event[] = [];
  /** Runs before a read returns; may change the route (someone else acting). */
  onRead: (route: string, reads: number) => void = () => {};
  /** Runs instead of a write; return false to skip applying, throw to fail. Default: apply. */
  onWrite: (route: string, next: TargetWeight[], apply: () => void) => void = (_route, _next, apply) =>
    apply();

  constructor(initial: Record<string, TargetWeight[]>) {
    for (const [route, list] of Object.entries(initial)) this.routes.set(route, list);
  }

  async read(route: string): Promise<RouteReading> {
    const reads = this.events.filter((e) => e.op === 'read' && e.route === route).length + 1;
    this.events.push({ op: 'read', route });
    this.onRead(route, reads);
    const list = this.routes.get(route);
    if (!list)
      throw new RouterError({
        operation: 'DescribeListeners',
        route,
        code: 'ListenerNotFound',
        rejected: true,
        message: `DescribeListeners on ${route} failed: not found`,
      });
    return { route, kind: 'listener', 'target-groups': list.map((t) => ({ ...t })) };
  }

  preview(reading: RouteReading, targetGroups: TargetWeight[]): WritePreview {
    return {
      route: reading.route,
      operation: 'ModifyListener',
      request: { ListenerArn: reading.route, targetGroups },
    };
  }

  async write(reading: RouteReading, targetGroups: TargetWeight[]): Promise<void> {
    this.events.push({ op: 'write', route: reading.route, targetGroups });
    this.onWrite(reading.route, targetGroups, () =>
      this.routes.set(
        reading.route,
        targetGroups.map((t) => ({ ...t })),
      ),
    );
  }

  async loadBalancerOf(reading: RouteReading): Promise<string> {
    return reading.route.replace(':listener/', ':loadbalancer/').replace(/\/[0-9a-f]{16}$/, '');
  }

  writes(): Event[] {
    return this.events.filter((e) => e.op === 'write');
  }
}

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: () => {},
  };
}

const noSleep = async () => {};
const fast = {
  sleep: noSleep,
  random: () => 0.5,
  verify: { attempts: 3, initialDelayMs: 100, maxDelayMs: 400 },
};

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('shiftRoutes', () => {
  it('adds a missing canary at 0, then writes the split, verifying each write', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 1)], [L2]: [tw(STABLE, 100), tw(CANARY, 0)] });
    const saved: string[][] = [];
    const result = await shiftRoutes(
      router,
      { routes: [L1, L2], pair, canary: 5, expectation: null, force: false, dryRun: false },
      { ...fast, beforeFirstWrite: (plans) => void saved.push(plans.map((p) => p.route)) },
    );
    expect(router.writes().map((w) => [w.route, w.targetGroups])).toEqual([
      [L1, [tw(STABLE, 1), tw(CANARY, 0)]],
      [L1, [tw(STABLE, 95), tw(CANARY, 5)]],
      [L2, [tw(STABLE, 95), tw(CANARY, 5)]],
    ]);
    expect(saved).toEqual([[L1, L2]]);
    expect(result.changed).toBe(true);
    expect(result.previous).toEqual({ [L1]: [tw(STABLE, 1)], [L2]: [tw(STABLE, 100), tw(CANARY, 0)] });
    expect(result.after[L1]).toEqual([tw(STABLE, 95), tw(CANARY, 5)]);
    expect(result.loadBalancer).toBe(
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
    );
  });

  it('re-reads each route just before writing it', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 100), tw(CANARY, 0)] });
    await shiftRoutes(
      router,
      { routes: [L1], pair, canary: 5, expectation: null, force: false, dryRun: false },
      fast,
    );
    // planning read, compare-and-set read, write, verifying read
    expect(router.events.map((e) => e.op)).toEqual(['read', 'read', 'write', 'read']);
  });

  it('changes nothing and calls no write when every route already sends the split', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 95), tw(CANARY, 5)] });
    let called = false;
    const result = await shiftRoutes(
      router,
      {
        routes: [L1],
        pair,
        canary: 5,
        expectation: { kind: 'split', split: { stable: 100, canary: 0 }, source: 'the rollout state' },
        force: false,
        dryRun: false,
      },
      { ...fast, beforeFirstWrite: () => void (called = true) },
    );
    expect(result.changed).toBe(false);
    expect(router.writes()).toEqual([]);
    expect(called).toBe(false);
  });

  it('refuses before any write when a route does not carry the expected split', async () => {
    const router = new MemoryRouter({
      [L1]: [tw(STABLE, 100), tw(CANARY, 0)],
      [L2]: [tw(STABLE, 50), tw(CANARY, 50)],
    });
    const error = await rejection(
      shiftRoutes(
        router,
        {
          routes: [L1, L2],
          pair,
          canary: 25,
          expectation: { kind: 'split', split: { stable: 100, canary: 0 }, source: 'the rollout state' },
          force: false,
          dryRun: false,
        },
        fast,
      ),
    );
    expect(error).toBeInstanceOf(WeightsChangedError);
    expect(error.message).toContain(
      `${L2} does not carry the expected weights: expected stable 100% / canary 0% (from the rollout state), found stable blue 50, canary green 50`,
    );
    expect(router.writes()).toEqual([]);
  });

  it('overwrites unexpected weights with force, warning about it', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 50), tw(CANARY, 50)] });
    const logger = recorder();
    await shiftRoutes(
      router,
      {
        routes: [L1],
        pair,
        canary: 25,
        expectation: { kind: 'split', split: { stable: 100, canary: 0 }, source: 'the rollout state' },
        force: true,
        dryRun: false,
      },
      { ...fast, logger },
    );
    expect(router.routes.get(L1)).toEqual([tw(STABLE, 75), tw(CANARY, 25)]);
    expect(
      logger.lines.some((l) => l.startsWith('warning:') && l.includes('Overwriting because force is set')),
    ).toBe(true);
  });

  it('refuses when someone changes the weights between the read and the write', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 100), tw(CANARY, 0)] });
    router.onRead = (route, reads) => {
      if (reads === 2) router.routes.set(route, [tw(STABLE, 60), tw(CANARY, 40)]);
    };
    const error = await rejection(
      shiftRoutes(
        router,
        { routes: [L1], pair, canary: 5, expectation: null, force: false, dryRun: false },
        fast,
      ),
    );
    expect(error).toBeInstanceOf(RouteTransactionError);
    expect(error.message).toBe(
      `${L1} changed between reading and writing it: expected stable blue 100, canary green 0, found stable blue 60, canary green 40. Someone else is moving traffic on this route; refusing to overwrite it. Set force: true to overwrite. Nothing was changed.`,
    );
    expect(router.writes()).toEqual([]);
    expect(router.routes.get(L1)).toEqual([tw(STABLE, 60), tw(CANARY, 40)]);
  });

  it('previews the exact requests in a dry run and writes nothing', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 1)] });
    const result = await shiftRoutes(
      router,
      { routes: [L1], pair, canary: 10, expectation: null, force: false, dryRun: true },
      fast,
    );
    expect(router.writes()).toEqual([]);
    expect(result.changed).toBe(false);
    expect(result.requests).toEqual([
      {
        route: L1,
        operation: 'ModifyListener',
        request: { ListenerArn: L1, targetGroups: [tw(STABLE, 1), tw(CANARY, 0)] },
      },
      {
        route: L1,
        operation: 'ModifyListener',
        request: { ListenerArn: L1, targetGroups: [tw(STABLE, 90), tw(CANARY, 10)] },
      },
    ]);
    expect(result.after[L1]).toEqual([tw(STABLE, 90), tw(CANARY, 10)]);
  });
});

describe('applyAllOrNothing: writes whose outcome is unknown', () => {
  const ambiguous = (route: string) =>
    new RouterError({
      operation: 'ModifyListener',
      route,
      code: 'ECONNRESET',
      rejected: false,
      message: `ModifyListener on ${route} failed: socket hang up`,
    });

  it('accepts a write that applied although its response was lost, once the read-back shows it', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 100), tw(CANARY, 0)] });
    router.onWrite = (route, _next, apply) => {
      apply();
      throw ambiguous(route);
    };
    const logger = recorder();
    const results = await applyAllOrNothing(
      router,
      [{ route: L1, before: [tw(STABLE, 100), tw(CANARY, 0)], writes: [[tw(STABLE, 95), tw(CANARY, 5)]] }],
      { ...fast, logger },
    );
    expect(results[0]).toMatchObject({ changed: true, after: [tw(STABLE, 95), tw(CANARY, 5)] });
    expect(
      logger.lines.some((l) => l.includes('holds the new weights although the write reported an error')),
    ).toBe(true);
  });

  it('fails when the lost write did not apply, saying the read-back did not show it', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 100), tw(CANARY, 0)] });
    router.onWrite = (route) => {
      throw ambiguous(route);
    };
    const error = await rejection(
      applyAllOrNothing(
        router,
        [{ route: L1, before: [tw(STABLE, 100), tw(CANARY, 0)], writes: [[tw(STABLE, 95), tw(CANARY, 5)]] }],
        fast,
      ),
    );
    expect(error.message).toContain('socket hang up; reading the route back did not show the change either');
    expect(error.message).toContain('the change was reverted by someone else or never applied');
    expect(router.routes.get(L1)).toEqual([tw(STABLE, 100), tw(CANARY, 0)]);
  });

  it('does not read back a write the provider rejected', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 100), tw(CANARY, 0)] });
    router.onWrite = (route) => {
      throw new RouterError({
        operation: 'ModifyListener',
        route,
        code: 'InvalidConfigurationRequest',
        rejected: true,
        message: `ModifyListener on ${route} failed: invalid`,
      });
    };
    const error = await rejection(
      applyAllOrNothing(
        router,
        [{ route: L1, before: [tw(STABLE, 100), tw(CANARY, 0)], writes: [[tw(STABLE, 95), tw(CANARY, 5)]] }],
        fast,
      ),
    );
    expect(error.message).toBe(`ModifyListener on ${L1} failed: invalid. Nothing was changed.`);
    expect(router.events.map((e) => e.op)).toEqual(['read', 'write']);
  });
});

describe('applyAllOrNothing: read-back', () => {
  it('detects weights reverted by someone else during the read-back, within its bound', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 100), tw(CANARY, 0)] });
    router.onWrite = (route, _next, apply) => {
      apply();
      router.onRead = () => router.routes.set(route, [tw(STABLE, 100), tw(CANARY, 0)]);
    };
    const sleeps: number[] = [];
    const error = await rejection(
      applyAllOrNothing(
        router,
        [{ route: L1, before: [tw(STABLE, 100), tw(CANARY, 0)], writes: [[tw(STABLE, 95), tw(CANARY, 5)]] }],
        {
          sleep: async (ms) => void sleeps.push(ms),
          random: () => 0.999,
          pair,
          verify: { attempts: 4, initialDelayMs: 100, maxDelayMs: 250 },
        },
      ),
    );
    expect(error).toBeInstanceOf(RouteTransactionError);
    expect((error as RouteTransactionError).cause).toBeInstanceOf(WeightsNotVerifiedError);
    expect(error.message).toContain(
      `${L1} read back its previous weights (stable blue 100, canary green 0) after 4 reads instead of stable blue 95, canary green 5: the change was reverted by someone else or never applied`,
    );
    // Full jitter under a doubling cap: 100, 200, then capped at 250.
    expect(sleeps).toEqual([99, 199, 249]);
    expect(router.events.filter((e) => e.op === 'read')).toHaveLength(1 + 4);
  });

  it('waits for a write that takes a few reads to show', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 100), tw(CANARY, 0)] });
    let pending: TargetWeight[] | null = null;
    router.onWrite = (_route, next) => void (pending = next);
    router.onRead = (route, reads) => {
      if (pending && reads === 4) router.routes.set(route, pending);
    };
    const results = await applyAllOrNothing(
      router,
      [{ route: L1, before: [tw(STABLE, 100), tw(CANARY, 0)], writes: [[tw(STABLE, 95), tw(CANARY, 5)]] }],
      { ...fast, verify: { attempts: 5, initialDelayMs: 1, maxDelayMs: 1 } },
    );
    expect(results[0]!.after).toEqual([tw(STABLE, 95), tw(CANARY, 5)]);
  });

  describe('with the injected ports only', () => {
    afterEach(() => vi.restoreAllMocks());

    it('draws the read-back jitter from the injected random and waits with the injected sleep', async () => {
      const router = new MemoryRouter({ [L1]: [tw(STABLE, 100), tw(CANARY, 0)] });
      let pending: TargetWeight[] | null = null;
      router.onWrite = (_route, next) => void (pending = next);
      router.onRead = (route, reads) => {
        if (pending && reads === 4) router.routes.set(route, pending);
      };
      const mathRandom = vi.spyOn(Math, 'random');
      const draws: number[] = [];
      const sleeps: number[] = [];
      await applyAllOrNothing(
        router,
        [{ route: L1, before: [tw(STABLE, 100), tw(CANARY, 0)], writes: [[tw(STABLE, 95), tw(CANARY, 5)]] }],
        {
          sleep: async (ms) => void sleeps.push(ms),
          random: () => {
            draws.push(0.5);
            return 0.5;
          },
          verify: { attempts: 5, initialDelayMs: 100, maxDelayMs: 400 },
        },
      );
      // Reads 2 and 3 miss, read 4 shows the write: two waits, each half its doubling cap.
      expect(draws).toHaveLength(2);
      expect(sleeps).toEqual([50, 100]);
      expect(mathRandom).not.toHaveBeenCalled();
    });
  });
});

describe('applyAllOrNothing: several routes', () => {
  const plan = (route: string) => ({
    route,
    before: [tw(STABLE, 100), tw(CANARY, 0)],
    writes: [[tw(STABLE, 75), tw(CANARY, 25)]],
  });

  it('puts back the routes already changed, in reverse order, when a later one fails', async () => {
    const router = new MemoryRouter({
      [L1]: [tw(STABLE, 100), tw(CANARY, 0)],
      [L2]: [tw(STABLE, 100), tw(CANARY, 0)],
      [L3]: [tw(STABLE, 100), tw(CANARY, 0)],
    });
    router.onWrite = (route, next, apply) => {
      if (route === L3)
        throw new RouterError({
          operation: 'ModifyRule',
          route,
          code: 'RuleNotFound',
          rejected: true,
          message: `ModifyRule on ${route} failed: the rule does not exist`,
        });
      apply();
    };
    const error = await rejection(applyAllOrNothing(router, [plan(L1), plan(L2), plan(L3)], fast));
    expect(router.writes().map((w) => [w.route, w.targetGroups![0]!.weight])).toEqual([
      [L1, 75],
      [L2, 75],
      [L3, 75],
      [L2, 100],
      [L1, 100],
    ]);
    expect(error.message).toBe(
      `ModifyRule on ${L3} failed: the rule does not exist. All routes are as they were (routes are changed in order and put back in reverse): ${L1}: put back to stable blue 100, canary green 0 (verified); ${L2}: put back to stable blue 100, canary green 0 (verified); ${L3}: not changed.`
        .replace(/stable blue/g, 'blue')
        .replace(/canary green/g, 'green'),
    );
    expect([...router.routes.values()].every((list) => list[0]!.weight === 100)).toBe(true);
  });

  it('leaves a route someone else changed since it was written, and says so', async () => {
    const router = new MemoryRouter({
      [L1]: [tw(STABLE, 100), tw(CANARY, 0)],
      [L2]: [tw(STABLE, 100), tw(CANARY, 0)],
    });
    router.onWrite = (route, _next, apply) => {
      if (route === L2) {
        router.routes.set(L1, [tw(STABLE, 10), tw(CANARY, 90)]);
        throw new RouterError({
          operation: 'ModifyListener',
          route,
          code: 'AccessDenied',
          rejected: true,
          message: `ModifyListener on ${route} failed: access denied`,
        });
      }
      apply();
    };
    const error = (await rejection(
      applyAllOrNothing(router, [plan(L1), plan(L2)], fast),
    )) as RouteTransactionError;
    expect(error.outcomes.map((o) => [o.route, o.status])).toEqual([
      [L1, 'changed'],
      [L2, 'unchanged'],
    ]);
    expect(error.message).toContain('Not every route could be put back');
    expect(error.message).toContain(
      `${L1}: could not be put back (${L1} changed between reading and writing it`,
    );
    expect(error.message).toContain('left at blue 10, green 90');
    expect(router.routes.get(L1)).toEqual([tw(STABLE, 10), tw(CANARY, 90)]);
  });

  it('puts back a route whose canary was added before its weight write failed', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 1)] });
    let writes = 0;
    router.onWrite = (route, _next, apply) => {
      writes++;
      if (writes === 2)
        throw new RouterError({
          operation: 'ModifyListener',
          route,
          code: 'Throttling',
          rejected: true,
          message: `ModifyListener on ${route} failed: throttled`,
        });
      apply();
    };
    const error = await rejection(
      shiftRoutes(
        router,
        { routes: [L1], pair, canary: 5, expectation: null, force: false, dryRun: false },
        fast,
      ),
    );
    expect(error.message).toBe(
      `ModifyListener on ${L1} failed: throttled. ${L1} was put back to stable blue 1; nothing is left changed.`,
    );
    expect(router.routes.get(L1)).toEqual([tw(STABLE, 1)]);
  });
});

describe('restoreRoutes', () => {
  it('uses one read, one write and one verifying read per route', async () => {
    const router = new MemoryRouter({
      [L1]: [tw(STABLE, 75), tw(CANARY, 25)],
      [L2]: [tw(STABLE, 75), tw(CANARY, 25)],
    });
    const results = await restoreRoutes(
      router,
      [L1, L2],
      (r) => rollbackTargetGroups(r, pair, 'stable', null),
      fast,
    );
    expect(router.events.map((e) => `${e.op} ${e.route === L1 ? 1 : 2}`)).toEqual([
      'read 1',
      'write 1',
      'read 1',
      'read 2',
      'write 2',
      'read 2',
    ]);
    expect(results.map((r) => r.changed)).toEqual([true, true]);
    expect(router.routes.get(L2)).toEqual([tw(STABLE, 100), tw(CANARY, 0)]);
  });

  it('makes no write when every route is already where it should be', async () => {
    const router = new MemoryRouter({ [L1]: [tw(STABLE, 100), tw(CANARY, 0)] });
    const results = await restoreRoutes(
      router,
      [L1],
      (r) => rollbackTargetGroups(r, pair, 'stable', null),
      fast,
    );
    expect(router.writes()).toEqual([]);
    expect(results[0]!.changed).toBe(false);
  });

  it('keeps going when one route fails and reports it with the others', async () => {
    const router = new MemoryRouter({ [L2]: [tw(STABLE, 75), tw(CANARY, 25)] });
    const error = (await rejection(
      restoreRoutes(router, [L1, L2], (r) => rollbackTargetGroups(r, pair, 'stable', null), fast),
    )) as RouteTransactionError;
    expect(router.routes.get(L2)).toEqual([tw(STABLE, 100), tw(CANARY, 0)]);
    expect(error.message).toBe(
      `DescribeListeners on ${L1} failed: not found. The other routes were handled: ${L2}: restored to stable blue 100, canary green 0`
        .replace('stable blue', 'blue')
        .replace('canary green', 'green'),
    );
    expect(error.outcomes.map((o) => o.status)).toEqual(['put-back', 'unchanged']);
  });
});
