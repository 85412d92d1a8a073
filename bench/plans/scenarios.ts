// The canary behaviours of the whole-plan bench. The baseline is the simulator's healthy stable target
// group (0.1% errors, p99 170ms, 10 hosts); the healthy canary has 0.1% errors and p99 180ms.
import { BASELINE, HEALTHY_CANARY } from '@shiftgate/cli';
import type { PlanScenario } from './simulate';

const H = HEALTHY_CANARY;

export const SCENARIOS: PlanScenario[] = [
  { name: 'healthy, 1,000 req/min', rpm: 1000, bad: null },
  { name: 'healthy, 300 req/min', rpm: 300, bad: null },
  {
    name: 'healthy, errors in bursts of 10 at 0.5%, 1,000 req/min',
    rpm: 1000,
    bad: null,
    good: { ...H, errorRate: 0.005, burst: 10 },
  },
  { name: 'low traffic (30 req/min), healthy', rpm: 30, bad: null },
  { name: 'step: errors 5× (5%)', rpm: 1000, bad: { ...H, errorRate: 0.05 } },
  { name: 'step: p99 1.5× max-p99-latency (750ms)', rpm: 1000, bad: { ...H, p99: 750 } },
  { name: 'canary 1.5× slower than baseline', rpm: 1000, bad: { ...H, p99: 1.5 * BASELINE.p99 } },
  { name: 'canary 1.3× slower than baseline', rpm: 1000, bad: { ...H, p99: 1.3 * BASELINE.p99 } },
  { name: 'half the hosts down', rpm: 1000, bad: { ...H, unhealthy: 2 } },
  {
    name: 'slow leak (+25ms p99, +0.04% errors a minute)',
    rpm: 1000,
    bad: H,
    grow: (after) => ({ ...H, p99: H.p99 + 25 * (after + 1), errorRate: H.errorRate + 0.0004 * (after + 1) }),
  },
];
