// The gates whose breaches are taken as observed, with no statistics: alarms, smoke commands, request
// count, bake time, and provider errors in a row.
import { formatDuration } from '../shared/index';
import { isPollError, type AlarmState, type Evidence, type Preflight } from './evidence';
import { noData, type Check, type CheckContext } from './check';

/** `alarms.<name>`: an alarm in ALARM, before or during the bake, is a breach. */
export function alarmCheck(ctx: CheckContext, alarm: string, preflight: Preflight | undefined): Check {
  const name = `alarms.${alarm}`;
  const common = { name, interval: null, evidence: null, threshold: null };
  if (preflight?.alarms?.[alarm] === 'ALARM') {
    return {
      ...common,
      phase: 'Failed',
      observed: null,
      windows: 0,
      message: `alarm '${alarm}' was already in ALARM before the bake started: refusing the deployment`,
    };
  }
  let last: AlarmState | null = null;
  let seen = 0;
  for (let i = 0; i < ctx.windows.length; i++) {
    const state = ctx.windows[i]!.alarms?.[alarm];
    if (state === undefined) continue;
    seen++;
    if (state === 'ALARM') {
      return {
        ...common,
        phase: 'Failed',
        observed: null,
        windows: seen,
        message: `alarm '${alarm}' in ALARM at window ${i + 1}: rollback`,
      };
    }
    if (state === 'OK' || state === 'INSUFFICIENT_DATA') last = state;
  }
  if (last === 'OK') {
    return {
      ...common,
      phase: 'Successful',
      observed: 0,
      windows: seen,
      message: `alarm '${alarm}' OK: pass`,
    };
  }
  if (last === 'INSUFFICIENT_DATA') {
    return {
      ...common,
      phase: ctx.final ? 'Inconclusive' : 'Pending',
      observed: null,
      windows: seen,
      message: `alarm '${alarm}' has INSUFFICIENT_DATA: no data${ctx.final ? ': inconclusive' : ' yet'}`,
    };
  }
  return noData(ctx, name, null, `alarm '${alarm}'`);
}

/** `smoke-command`: any failed run, before or during the bake, is a breach. */
export function smokeCheck(ctx: CheckContext, preflight: Preflight | undefined): Check {
  const name = 'smoke-command';
  const common = { name, interval: null, evidence: null, threshold: 0 };
  const runs: { where: string; code: number }[] = [];
  if (preflight?.smoke) runs.push({ where: 'before the bake started', code: preflight.smoke['exit-code'] });
  ctx.windows.forEach((w, i) => {
    if (w.smoke) runs.push({ where: `at window ${i + 1}`, code: w.smoke['exit-code'] });
  });
  const failed = runs.find((r) => r.code !== 0);
  if (failed) {
    return {
      ...common,
      phase: 'Failed',
      observed: failed.code,
      windows: runs.length,
      message: `smoke command failed ${failed.where} (exit code ${failed.code}): rollback`,
    };
  }
  if (runs.length === 0) return noData(ctx, name, 0, 'smoke command');
  return {
    ...common,
    phase: 'Successful',
    observed: 0,
    windows: runs.length,
    message: `smoke command passed ${runs.length} of ${runs.length} runs: pass`,
  };
}

/** `min-requests`: enough canary requests to promote. */
export function minRequestsCheck(ctx: CheckContext): Check {
  const name = 'min-requests';
  const limit = ctx.gates.minRequests;
  let requests = 0;
  let used = 0;
  for (const w of ctx.windows) {
    if (w.canary && w.canary.requests !== null) {
      requests += w.canary.requests;
      used++;
    }
  }
  const common = {
    name,
    observed: used === 0 ? null : requests,
    interval: null,
    evidence: null,
    threshold: limit,
    windows: used,
  };
  if (requests >= limit && (used > 0 || limit === 0)) {
    return {
      ...common,
      observed: requests,
      phase: 'Successful',
      message: `canary ${requests} requests ≥ ${name} ${limit}: pass`,
    };
  }
  if (used === 0) return noData(ctx, name, limit, 'canary request count');
  return {
    ...common,
    phase: ctx.final ? 'Inconclusive' : 'Running',
    message: `canary ${requests} requests < ${name} ${limit}: ${ctx.final ? 'inconclusive' : 'keep baking'}`,
  };
}

/** `bake-time`: baked long enough to promote. */
export function bakeTimeCheck(ctx: CheckContext, elapsed: number): Check {
  const name = 'bake-time';
  const limit = ctx.gates.bakeTime;
  const common = {
    name,
    observed: elapsed,
    interval: null,
    evidence: null,
    threshold: limit,
    windows: ctx.windows.length,
  };
  const text = `baked ${formatDuration(elapsed)} of ${name} ${formatDuration(limit)}`;
  if (elapsed >= limit) return { ...common, phase: 'Successful', message: `${text}: pass` };
  return {
    ...common,
    phase: ctx.final ? 'Inconclusive' : 'Running',
    message: `${text}: ${ctx.final ? 'inconclusive' : 'keep baking'}`,
  };
}

/** `max-consecutive-errors`: failed polls in a row, counted against the limit, never a silent pass. */
export function providerErrorsCheck(ctx: CheckContext, evidence: readonly Evidence[]): Check {
  const name = 'max-consecutive-errors';
  const limit = ctx.gates.maxConsecutiveErrors;
  let inRow = 0;
  let lastError = '';
  for (let i = evidence.length - 1; i >= 0; i--) {
    const entry = evidence[i]!;
    if (!isPollError(entry)) break;
    if (inRow === 0) lastError = entry.error;
    inRow++;
  }
  const total = evidence.filter(isPollError).length;
  const common = {
    name,
    observed: inRow,
    interval: null,
    evidence: null,
    threshold: limit,
    windows: ctx.windows.length,
  };
  if (inRow > limit) {
    return {
      ...common,
      phase: 'Error',
      message: `${inRow} provider errors in a row > ${name} ${limit} (${lastError}): evidence unavailable, never promoting`,
    };
  }
  if (inRow > 0) {
    return {
      ...common,
      phase: ctx.final ? 'Inconclusive' : 'Running',
      message: `${inRow} provider error${inRow === 1 ? '' : 's'} in a row (≤ ${name} ${limit} tolerated): ${lastError}`,
    };
  }
  return {
    ...common,
    phase: 'Successful',
    message: `no provider error in a row (${total} in all) ≤ ${name} ${limit}: pass`,
  };
}
