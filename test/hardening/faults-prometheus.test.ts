// Fault rows of the Prometheus source (counted with the fault table): run-plan bakes on a loopback
// Prometheus API that answers 429, 503, nothing (until the client's time limit) or resets the connection,
// once or for good. Traffic is never left split, and missing evidence never promotes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Client, Elbv2TrafficRouter } from '@shiftgate/aws';
import { parseRolloutState, virtualTime } from '@shiftgate/core';
import { run } from '../../actions/run-plan/src/main';
import { post } from '../../actions/run-plan/src/restore';
import { inProcess } from '../actions/shift-traffic/harness';
import { CANARY, LISTENER, ROUTES, STABLE, useAlbFakes } from '../support/alb-fakes';
import { FakePrometheus, steady, type PrometheusFault } from '../support/prometheus-server';
import { plannedState } from './states';
import { PROMETHEUS_ROWS, type FaultKind } from './faults.table';

const NOW = Date.UTC(2026, 3, 1, 9, 0, 30);
const fakes = useAlbFakes();
let prometheus: FakePrometheus;
beforeAll(async () => {
  prometheus = await FakePrometheus.start();
});
afterAll(() => prometheus.close());
beforeEach(() => {
  prometheus.reset();
  // Both sides steady and healthy whatever the weights: every brief fault must still promote.
  prometheus.sides.set('shop-green', () => steady(400));
  prometheus.sides.set('shop-blue', () => steady(2000));
});

function fault(kind: FaultKind, times: number): PrometheusFault {
  switch (kind) {
    case 'throttling':
      return {
        kind: 'status',
        status: 429,
        body: '{"status":"error","errorType":"too_many_requests","error":"slow down"}',
        times,
      };
    case '5xx':
      return { kind: 'status', status: 503, body: 'Service Unavailable', times };
    case 'timeout':
      return { kind: 'hang', times };
    case 'lost response':
      return { kind: 'reset', times };
  }
}

function settings() {
  return {
    caller: 'run-plan',
    region: 'us-east-1',
    retryMode: 'standard' as const,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 250, requestTimeout: 250, throwOnRequestTimeout: true },
  };
}

describe('the Prometheus range query under 429, 5xx, timeout and a lost response', () => {
  it.each(PROMETHEUS_ROWS.map((row) => [`${row.call}: ${row.fault}, ${row.span}`, row] as const))(
    '%s',
    async (_name, row) => {
      prometheus.faults.push(fault(row.fault, row.span === 'brief' ? 1 : 100_000));
      const time = virtualTime(NOW);
      let exitCode: number | string | undefined;
      const env = { AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: fakes.elbv2.url };
      const main = await inProcess(
        {
          state: plannedState(
            'canary',
            { steps: '10,100', 'bake-time': '3m' },
            undefined,
            new Date(NOW - 60_000),
          ),
          ...ROUTES,
          'metric-source': 'prometheus',
          'prometheus-url': prometheus.url,
          'metric-delay': '0s',
          'min-requests': '100',
          'max-consecutive-errors': '2',
          'fail-on-rollback': 'true',
        },
        async () => {
          await run({
            router: new Elbv2TrafficRouter(createElbv2Client(settings())),
            clock: time.clock,
            sleep: time.sleep,
            prometheus: { client: { timeoutMs: 200, backoffMs: 1, sleep: async () => undefined } },
          });
          exitCode = process.exitCode;
        },
        env,
      );
      const ranges = prometheus.requests.filter((r) => r.path === '/api/v1/query_range');
      expect(ranges.length).toBeGreaterThan(1);
      if (row.span === 'brief') {
        expect(main.errors).toEqual([]);
        expect(main.outputs.decision).toBe('promote');
        expect(prometheus.faults[0]!.times).toBe(0);
      } else {
        expect(exitCode).toBe(1);
        expect(main.outputs.decision).not.toBe('promote');
        expect(main.errors.join('\n')).toMatch(/Prometheus query_range/);
        if (exitCode === 1)
          await inProcess(
            {},
            () =>
              post({
                router: new Elbv2TrafficRouter(createElbv2Client(settings())),
                sleep: async () => undefined,
              }),
            {
              ...env,
              ...Object.fromEntries(Object.entries(main.saved).map(([k, v]) => [`STATE_${k}`, v])),
            },
          );
      }
      const serving = fakes.elbv2.weights(LISTENER).filter(([, weight]) => weight > 0);
      expect(serving.map(([group]) => group)).toEqual([
        main.outputs.decision === 'promote' ? CANARY : STABLE,
      ]);
      if (main.outputs.state)
        expect(['promoted', 'rolled-back', 'failed']).toContain(
          parseRolloutState('state', main.outputs.state).status,
        );
    },
    8_000,
  );
});
