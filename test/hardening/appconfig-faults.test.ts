// The counted AppConfig fault rows (faults.table.ts APPCONFIG_ROWS): a feature-flag rollout whose flag
// lives on the loopback AppConfig, every AppConfig call under throttling, 5xx, a timeout and a lost
// response, briefly (the SDK retries through it: the rollout promotes) and for good (the run never
// promotes; traffic is back on stable; the flag is back where it was, or the run says it is not).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildPlan,
  createRolloutState,
  GATE_DEFAULTS,
  parseGates,
  runPlan,
  virtualTime,
  type RunResult,
} from '@shiftgate/core';
import { AppConfigFlagProvider, createAppConfigClient } from '@shiftgate/aws/appconfig';
import { createSimulation, mulberry32 } from '@shiftgate/cli';
import { AppConfigServer, type AppConfigFault } from '../support/appconfig-server';
import { APPCONFIG_ROWS, type FaultKind } from './faults.table';

const TIMEOUT_MS = 250;
const ROW_MS = 10_000;
const BASE = JSON.stringify({
  version: '1',
  flags: { checkout: { name: 'Checkout' }, 'dark-mode': { name: 'Dark mode' } },
  values: { checkout: { enabled: false }, 'dark-mode': { enabled: true } },
});

let server: AppConfigServer;
const saved: Record<string, string | undefined> = {};
beforeAll(async () => {
  server = await AppConfigServer.start();
  const env = {
    AWS_ENDPOINT_URL_APPCONFIG: server.url,
    AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
    AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/shiftgate/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/shiftgate/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const [key, value] of Object.entries(env)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
});
afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await server.close();
});
beforeEach(() => server.seed(BASE));

function fault(kind: FaultKind): AppConfigFault {
  switch (kind) {
    case 'throttling':
      return { error: { code: 'ThrottlingException', message: 'Rate exceeded', status: 429 } };
    case '5xx':
      return { error: { code: 'InternalServerException', message: 'internal error', status: 500 } };
    case 'timeout':
      return { hangMs: 3_000 };
    case 'lost response':
      return { drop: 'after' };
  }
}

/** A 10% → 100% flag rollout; `breach` makes the canary fail in the first bake while AppConfig still deploys. */
async function rollout(breach: boolean): Promise<{ result: RunResult | null; error: unknown }> {
  const time = virtualTime(Date.UTC(2026, 3, 1, 9));
  const sim = createSimulation({
    seed: 7,
    scenario: breach ? 'step-regression' : 'healthy',
    clock: time.clock,
    at: 1,
  });
  const plan = buildPlan('feature-flag', {
    'flag-provider': 'appconfig',
    'flag-steps': '10,100',
    'bake-time': '3m',
  });
  const state = createRolloutState({
    strategy: plan.strategy,
    parameters: plan.parameters,
    plan: plan.steps,
    now: new Date(time.clock.now()),
  });
  const gates = parseGates(
    { ...GATE_DEFAULTS, 'bake-time': '3m', 'max-consecutive-errors': '2', 'max-latency-increase': '1000%' },
    { custom: [], alarms: [], smoke: false },
  );
  const client = createAppConfigClient({
    caller: 'run-plan',
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: TIMEOUT_MS,
      requestTimeout: TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  });
  try {
    const result = await runPlan({
      state,
      target: { routes: sim.routes, pair: sim.pair },
      router: sim.router,
      metrics: () => sim.metrics(60_000, gates.maxP99Latency),
      hooks: {
        flags: {
          provider: new AppConfigFlagProvider(client),
          target: {
            application: 'shop',
            environment: 'prod',
            profile: 'flags',
            flag: 'checkout',
            deploymentStrategy: 'AppConfig.AllAtOnce',
          },
          maxWait: 20 * 60_000,
        },
      },
      gates,
      period: 60_000,
      metricDelay: 120_000,
      clock: time.clock,
      sleep: time.sleep,
      random: mulberry32(7),
    });
    expect(sim.canaryShare()).toBe(result.decision === 'promote' ? 100 : 0);
    return { result, error: null };
  } catch (error) {
    // Only the preflight may throw: nothing was moved.
    expect(sim.canaryShare()).toBe(0);
    return { result: null, error };
  }
}

describe('every AppConfig call under throttling, 5xx, timeout and a lost response', () => {
  it.each(APPCONFIG_ROWS.map((row) => [`${row.call}: ${row.fault}, ${row.span}`, row] as const))(
    '%s',
    async (_name, row) => {
      // StopDeployment is called only on a breach while AppConfig is still deploying.
      const breach = row.call === 'StopDeployment';
      if (breach) server.deployingReads = 50;
      let left = row.span === 'brief' ? 1 : 10_000;
      let struck = 0;
      server.hooks.push((request) => {
        if (request.operation !== row.call || left <= 0) return;
        left--;
        struck++;
        return fault(row.fault);
      });
      const { result, error } = await rollout(breach);
      expect(struck).toBeGreaterThan(0);
      // A StartDeployment whose every answer is lost still started it: the resend meets it in progress
      // (ConflictException) and the adapter finds it by its version, so the rollout goes on, one
      // deployment per step.
      const recovers = row.call === 'StartDeployment' && row.fault === 'lost response';
      if (recovers) expect(server.deployments).toHaveLength(2);
      if ((row.span === 'brief' || recovers) && !breach) {
        // The SDK retried through it: the rollout promoted, the flag on for everyone.
        expect(error).toBeNull();
        expect(result!.decision).toBe('promote');
        expect(JSON.parse(server.versions.get('prf3ghi')!.at(-1)!).values.checkout).toEqual({
          enabled: true,
        });
      } else {
        // Never promoted, and nothing left half-way without saying so.
        expect(result?.decision ?? 'refused').not.toBe('promote');
        const live = server.live();
        const back = live === null || live === '1';
        if (result && !back) {
          expect(result.restored).toBe(false);
          expect(result.reason).toMatch(/flag 'checkout'/);
        }
        if (!result) expect(server.calls('StartDeployment')).toHaveLength(0);
      }
      // Only ever one deployment at a time, and every other flag untouched.
      for (const content of server.versions.get('prf3ghi')!)
        expect((JSON.parse(content) as { values: Record<string, unknown> }).values['dark-mode']).toEqual({
          enabled: true,
        });
    },
    ROW_MS,
  );
});
