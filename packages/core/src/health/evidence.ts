/**
 * Evidence as the judge sees it: one entry per metric period (a window) or per failed poll. Every
 * field may be missing (`null`): that is *no data*, never zero and never a pass.
 */

/** One target group's statistics over one window. */
export interface SideStats {
  /** `RequestCount` Sum. */
  requests: number | null;
  /** `HTTPCode_Target_5XX_Count` Sum (the CloudWatch adapter fills an omitted datapoint with 0 when requests exist). */
  errors: number | null;
  /**
   * `TargetResponseTime` at the gate's `latency-percentile` (p99 unless set), in milliseconds. The
   * field keeps its name so that older traces read the same.
   */
  p99: number | null;
  /**
   * Requests slower than the `max-p99-latency` threshold: `round(requests × (100 − PR)/100)` from
   * `TargetResponseTime` `PR(:T)`. Canary only; absent in evidence from before it existed; `null` = no data.
   */
  slow?: number | null;
  /**
   * Requests slower than this side's `over-thresholds` entry (from `PR(:T)` in the same call): the
   * counts the `max-latency-increase` test compares. Absent in older evidence; `null` = no data.
   */
  over?: number | null;
  /** `HealthyHostCount` Minimum. */
  healthy: number | null;
  /** `UnHealthyHostCount` Maximum. */
  unhealthy: number | null;
}

/** Where `over` counts are taken: canary and baseline latency thresholds, ms. */
export interface OverThresholds {
  canary: number;
  baseline: number;
}

/** A CloudWatch alarm's state; `INSUFFICIENT_DATA` is no data. */
export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** The result of one run of the smoke command. */
export interface SmokeResult {
  'exit-code': number;
}

/** One metric period of evidence, plus what was observed at the poll that brought it. */
export interface MetricWindow {
  /** Start of the period (ISO 8601), when known. */
  start?: string;
  canary: SideStats | null;
  baseline: SideStats | null;
  /**
   * The latency thresholds (ms) `over` was counted at: the baseline's percentile from the latest window
   * known when this one was read, and that value × (1 + max-latency-increase) for the canary.
   */
  'over-thresholds'?: OverThresholds;
  /** Custom metric query values by query id. */
  custom?: Record<string, number | null>;
  /** A/B tests: each `ab-metrics` count by name, for A (the stable side) and B (the canary); null = no data. */
  'ab-metrics'?: Record<string, { a: number | null; b: number | null }>;
  /** Alarm states read at the poll that brought this window. */
  alarms?: Record<string, AlarmState>;
  /** The smoke command's result at the poll that brought this window. */
  smoke?: SmokeResult | null;
}

/** A poll that failed: counted against `max-consecutive-errors`, never read as data. */
export interface PollError {
  error: string;
  /** When the poll failed (ISO 8601), when known. */
  at?: string;
}

/** One entry of the evidence list. */
export type Evidence = MetricWindow | PollError;

/** What was observed before the first window: alarms already firing refuse the deployment. */
export interface Preflight {
  alarms?: Record<string, AlarmState>;
  smoke?: SmokeResult | null;
}

/** True for a failed poll. */
export function isPollError(entry: Evidence): entry is PollError {
  return 'error' in entry;
}

/** A side with every field missing. */
export const NO_DATA: SideStats = { requests: null, errors: null, p99: null, healthy: null, unhealthy: null };
