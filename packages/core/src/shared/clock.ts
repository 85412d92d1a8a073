// The time ports. Core never reads the real clock or sets a timer: the runner's real clock and sleep
// live in @shiftgate/github (time.ts); here are the ports and the virtual time of tests and the simulator.

/** Wall-clock time, injectable so a 30-minute bake runs in milliseconds in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Waits, injectable for the same reason as {@link Clock}. Resolves early (without throwing) when aborted. */
export type Sleeper = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A source of uniform numbers in [0, 1), injectable so jittered waits are reproducible in tests. */
export type Random = () => number;

/**
 * A clock and sleeper pair for tests and the simulator: sleeping advances the clock at once.
 */
export function virtualTime(start = Date.UTC(2026, 0, 1)): {
  clock: Clock;
  sleep: Sleeper;
  advance(ms: number): void;
} {
  let now = start;
  return {
    clock: { now: () => now },
    sleep: async (ms) => {
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** Logging sink for core code, so pure modules can explain themselves without depending on @actions/core. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { info: () => {}, warning: () => {}, debug: () => {} };
