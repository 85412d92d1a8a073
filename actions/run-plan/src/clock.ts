import type { Clock, Sleeper } from '@shiftgate/core';
import { systemClock, systemSleep } from '@shiftgate/github';

/** The variable that speeds simulated time up, for the test suite only (see {@link runnerTime}). */
export const TIME_SCALE_VARIABLE = 'SHIFTGATE_TEST_TIME_SCALE';

const LOOPBACK = /^https?:\/\/(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?::\d+)?(?:\/|$)/;

/**
 * The clock and sleeper of the action: real time, unless SHIFTGATE_TEST_TIME_SCALE asks for time that
 * runs faster *and* every AWS endpoint is a loopback fake (AWS_ENDPOINT_URL on 127.0.0.1), so the
 * end-to-end tests can run the bundle through a 30-minute plan in seconds. Against real AWS the variable
 * is refused: a real bake always takes the time it says.
 */
export function runnerTime(env: Record<string, string | undefined>): {
  clock: Clock;
  sleep: Sleeper;
  scale: number;
  warning: string | null;
} {
  const text = env[TIME_SCALE_VARIABLE]?.trim() ?? '';
  if (text === '') return { clock: systemClock, sleep: systemSleep, scale: 1, warning: null };
  const scale = Number(text);
  const endpoints = Object.entries(env).filter(([k, v]) => k.startsWith('AWS_ENDPOINT_URL') && v);
  if (!/^\d+$/.test(text) || scale < 1 || scale > 100_000) {
    return {
      clock: systemClock,
      sleep: systemSleep,
      scale: 1,
      warning: `${TIME_SCALE_VARIABLE} must be a whole number from 1 to 100000, got '${text}'; running in real time`,
    };
  }
  if (endpoints.length === 0 || !endpoints.every(([, v]) => LOOPBACK.test(v!))) {
    return {
      clock: systemClock,
      sleep: systemSleep,
      scale: 1,
      warning: `${TIME_SCALE_VARIABLE} is only honoured against loopback AWS endpoints (the test suite's fakes); running in real time`,
    };
  }
  const origin = Date.now();
  return {
    clock: { now: () => origin + Math.round((Date.now() - origin) * scale) },
    sleep: (ms, signal) => systemSleep(Math.ceil(ms / scale), signal),
    scale,
    warning: null,
  };
}
