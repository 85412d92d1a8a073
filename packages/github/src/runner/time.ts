// Real time lives here, not in core: core only sees the Clock and Sleeper ports, so a 30-minute bake
// runs in milliseconds under test, and nothing in core can read the clock behind a test's back.
import type { Clock, Sleeper, TrafficRouter } from '@shiftgate/core';

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** The real sleep: a timer that an abort signal cuts short. */
export const systemSleep: Sleeper = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * What an action that moves traffic talks to and waits with. The action itself runs with none of them
 * (the ELBv2 router, real sleep, the real clock); tests replace them.
 */
export interface TrafficDependencies {
  router?: TrafficRouter;
  sleep?: Sleeper;
  clock?: Clock;
}
