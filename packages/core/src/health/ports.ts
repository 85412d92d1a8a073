import type { AlarmState, MetricWindow, OverThresholds, SmokeResult } from './evidence';

/** A span of time to read, in epoch milliseconds, aligned to the window period; `end` is exclusive. */
export interface MetricRange {
  start: number;
  end: number;
  /**
   * When set, each side's window also counts its requests slower than its threshold (`over`), in the
   * same provider call, and the window records the thresholds (`over-thresholds`).
   */
  over?: OverThresholds;
}

/**
 * Where windows of canary and baseline statistics come from (CloudWatch, the simulator). One
 * implementation call per poll, in as few provider calls as the provider allows.
 */
export interface MetricSource {
  /**
   * One window per period in `[start, end)`, oldest first, every one present (a period without data is
   * a window whose fields are null). Throws when the provider cannot be read: the caller counts that
   * against `max-consecutive-errors`.
   */
  windows(range: MetricRange): Promise<MetricWindow[]>;
}

/** Reads the state of named alarms. */
export interface AlarmSource {
  /**
   * The state of every named alarm. Throws an `InputError` for a name that does not exist, and any
   * other error when the provider cannot be read.
   */
  states(names: readonly string[]): Promise<Record<string, AlarmState>>;
}

/** Runs the user's smoke command once. */
export type SmokeRunner = () => Promise<SmokeResult>;
