// What is checked before anything is written: that a state can still run, that the routes, target
// groups, hooks and alarm names a run needs are there; and the one judgement of a pre-switch gate.
import { formatPercent, InputError } from '../shared/index';
import {
  fmtPct,
  worst,
  type AlarmState,
  type Check,
  type Gates,
  type MetricWindow,
  type Phase,
} from '../health/index';
import type { RolloutState } from '../rollout/index';
import { parseAudience } from '../strategy/index';
import { placeAudience, type TargetPair } from '../traffic/index';
import { checkSaga } from './saga';
import type { RunPlanOptions } from './types';
import { isCellRun, withCells } from './cell-scope';

const NEEDS: Record<'hook' | 'batch' | 'service' | 'audience', string> = {
  audience: 'a rule manager that creates and removes listener rules',
  hook: "a command runner and this run's 'flag-command'",
  batch: 'a batch hook that moves cells to the new version',
  service: "this run's 'services' (each with its deploy and compensate commands) and a runner for them",
};

/**
 * Commands come only from this run's inputs or config file. A state (an output of an earlier job, or a
 * deployment payload that anyone with `deployments: write` can write) is data: the command its hook step
 * carries is never run. It may be empty or equal to the configured one; anything else is refused.
 */
function checkHookCommand(carried: string, configured: string, index: number): void {
  const stated = carried.trim();
  const own = configured.trim();
  if (own === '') {
    throw new InputError('flag-command', '', '', {
      message:
        `Plan step ${index + 1} is a flag step, which runs this run's 'flag-command'; it is empty, so nothing was changed.` +
        (stated === ''
          ? " Set the 'flag-command' input (or the strategy's flag-command parameter in the config file)."
          : " The rollout state carries a command of its own, which shiftgate never runs (a state is data, not code): set 'flag-command' to the command you mean."),
    });
  }
  if (stated !== '' && stated !== own) {
    throw new InputError('flag-command', own, '', {
      message: `Plan step ${index + 1} of the rollout state carries a flag command that differs from this run's 'flag-command'; a state is data, not code, so shiftgate runs only the configured command and refuses when they differ. Nothing was changed. Plan the rollout again with select-strategy, or check where the state came from.`,
    });
  }
}

/** A flag step set by a provider runs no command: a state whose step carries one is refused. */
function checkProviderStep(carried: string, provider: string, index: number): void {
  if (carried.trim() === '') return;
  throw new InputError('flag-command', '', '', {
    message: `Plan step ${index + 1} of the rollout state carries a flag command, but this run sets the flag through ${provider} (flag-provider); a state is data, not code, and a flag is set in one place only. Nothing was changed. Plan the rollout again with select-strategy.`,
  });
}

/**
 * Throws an {@link InputError} for a state that cannot run: already promoted, rolled back or failed, or
 * with no step left.
 */
export function checkRunnable(state: RolloutState): void {
  if (state.status === 'promoted' || state.status === 'rolled-back' || state.status === 'failed') {
    throw new InputError('state', state.status, 'a rollout that is planned, in progress or paused', {
      message: `Input 'state' is a rollout that is already ${state.status} (step ${state.step} of ${state.plan.length}); start a new rollout with select-strategy`,
    });
  }
  if (state.step >= state.plan.length) {
    throw new InputError('state', state.step, 'a rollout with steps left', {
      message: `Input 'state' has no step left to run (step ${state.step} of ${state.plan.length})`,
    });
  }
}

/**
 * Checks, before anything is written, that the run can go through and names what is missing: the
 * routes and target groups (from the state or given), and a hook for every remaining step that needs one.
 */
export function checkRun(options: RunPlanOptions): { routes: string[]; pair: TargetPair } {
  const { state } = options;
  checkRunnable(state);
  const fromState =
    state.routes.length > 0 && state['stable-target-group-arn'] && state['canary-target-group-arn']
      ? {
          routes: state.routes,
          pair: { stable: state['stable-target-group-arn'], canary: state['canary-target-group-arn'] },
        }
      : null;
  const given = options.target ?? null;
  if (fromState && given) {
    const same =
      given.routes.join() === fromState.routes.join() &&
      given.pair.stable === fromState.pair.stable &&
      given.pair.canary === fromState.pair.canary;
    if (!same) {
      throw new InputError(
        'state',
        state.routes.join(', '),
        'a state for the same routes and target groups',
        {
          message: `Input 'state' already moves traffic on ${fromState.routes.join(', ')} between ${fromState.pair.stable} and ${fromState.pair.canary}; the routes or target groups given differ. Give either the state or the routes and target groups of a new rollout.`,
        },
      );
    }
  }
  const cellRun = isCellRun(options);
  // A saga deploys its services in place: it moves no traffic of its own, so it needs no routes.
  const inPlace = state.strategy === 'saga' && !state.plan.some((s) => s.kind === 'shift');
  const none = { routes: [], pair: { stable: '', canary: '' } };
  const target = cellRun ? none : (fromState ?? given ?? (inPlace ? none : null));
  if (cellRun) checkCellRun(options);
  else if (inPlace && target!.routes.length === 0) {
    // Nothing to check: the services' own commands and gates are checked below.
  } else if (!target || target.routes.length === 0) {
    throw new InputError('listener-arn', '', 'the listener (or rule) ARNs to shift', {
      message:
        "Input 'listener-arn' (or 'rule-arn') is required: the state does not name the routes yet (it comes from select-strategy); give the listener and the stable and canary target group ARNs",
    });
  }
  if (!cellRun && target!.routes.length > 0 && target!.pair.stable === target!.pair.canary) {
    throw new InputError(
      'canary-target-group-arn',
      target!.pair.canary,
      'a target group other than the stable one',
    );
  }
  const hooks = options.hooks ?? {};
  for (let i = state.step; i < state.plan.length; i++) {
    const step = state.plan[i]!;
    if (step.kind === 'hook' && hooks.flags) checkProviderStep(step.command, hooks.flags.provider.name, i);
    else if (step.kind === 'hook') checkHookCommand(step.command, hooks.flagCommand ?? '', i);
    const missing =
      (step.kind === 'hook' && !hooks.command && !hooks.flags) ||
      (step.kind === 'batch' && !hooks.batch && !cellRun) ||
      // A saga's bakes judge the gate of the service before them: they need the services too.
      ((step.kind === 'service' || state.strategy === 'saga') && !hooks.saga) ||
      (step.kind === 'audience' && !options.rules);
    if (missing) {
      const kind = (state.strategy === 'saga' ? 'service' : step.kind) as
        'hook' | 'batch' | 'service' | 'audience';
      throw new InputError('state', state.strategy, '', {
        message: `Plan step ${i + 1} of the ${state.strategy} plan is a ${state.strategy === 'saga' ? 'saga' : kind} step, which needs ${NEEDS[kind]}; this runner has none, so nothing was changed.${
          kind === 'batch'
            ? " Define the cells with their regions and ARNs ('cells' in the config environment or the 'cells' input) so the waves are switched here, or run each rolling wave as a job of select-strategy's 'waves' matrix instead."
            : kind === 'service'
              ? " Set the 'services' input (or --services)."
              : kind === 'audience'
                ? ''
                : " Set the 'flag-command' input."
        }`,
      });
    }
  }
  if (hooks.saga && state.strategy === 'saga') {
    checkSaga(state, hooks.saga, {
      alarms: options.gates.alarms,
      smoke: options.gates.smoke,
      queries: options.gates.custom.map((g) => g.id),
    });
    const own = hooks.saga.services.some((s) => s.alarms.length > 0);
    if (own && !options.alarms)
      throw new InputError('services', 'alarms', 'service alarms with an alarm source to read them');
  }
  // Over cells, alarms are read through each region's source (checked in checkCellRun).
  if (options.gates.alarms.length > 0 && !options.alarms && !cellRun) {
    throw new InputError(
      'alarms',
      options.gates.alarms.join(', '),
      'alarm names with an alarm source to read them',
    );
  }
  if (options.gates.smoke && !options.smoke) {
    throw new InputError('smoke-command', '', 'a smoke command with a runner for it');
  }
  return target!;
}

/** A rollout over cells needs its cell metric source, and an alarm source when cells name alarms. */
function checkCellRun(options: RunPlanOptions): void {
  const cells = withCells(options.state, options.cells);
  if (!options.cellMetrics) {
    throw new InputError('cells', Object.keys(cells.cells!).join(', '), '', {
      message:
        'A rollout over cells needs a metric source that reads cells by region; this runner has none, so nothing was changed',
    });
  }
  const alarms =
    Object.values(cells.cells!).some((c) => c.alarms.length > 0) || options.gates.alarms.length > 0;
  if (alarms && !options.cellAlarms) {
    throw new InputError('alarms', '', 'alarm names with an alarm source per region to read them');
  }
}

// ─── Pre-switch gate ─────────────────────────────────────────────────────────────────────────────

/** What a pre-switch gate judges: the canary's hosts in recent windows, alarms, the smoke command. */
export interface PreSwitchEvidence {
  windows: MetricWindow[];
  alarms?: Record<string, AlarmState>;
  smoke: { 'exit-code': number } | null;
}

/**
 * Judges a `gate` step once, before traffic moves (blue-green pre-switch checks): the idle canary
 * target group serves no requests, so only what an idle target group shows is judged — its healthy
 * hosts in the latest window that has them, the alarms, and the smoke command. Missing host data is
 * `Inconclusive`, never a pass.
 */
export function preSwitchJudgement(
  gates: Gates,
  evidence: PreSwitchEvidence,
): { phase: Phase; message: string; checks: Check[] } {
  const checks: Check[] = [];
  const base = { interval: null, evidence: null };
  const latest = [...evidence.windows]
    .reverse()
    .find(
      (w) =>
        w.canary &&
        w.canary.healthy !== null &&
        w.canary.unhealthy !== null &&
        w.canary.healthy + w.canary.unhealthy > 0,
    );
  const limit = gates.minHealthyPercent;
  if (!latest) {
    checks.push({
      ...base,
      name: 'min-healthy-percent',
      phase: 'Inconclusive',
      observed: null,
      threshold: limit,
      windows: 0,
      message: `no HealthyHostCount for the canary target group in the last ${evidence.windows.length} windows: attach it to the load balancer (for example with a test listener rule) so its health is published`,
    });
  } else {
    const healthy = latest.canary!.healthy!;
    const total = healthy + latest.canary!.unhealthy!;
    const observed = (100 * healthy) / total;
    const ok = observed >= limit;
    checks.push({
      ...base,
      name: 'min-healthy-percent',
      phase: ok ? 'Successful' : 'Failed',
      observed,
      threshold: limit,
      windows: 1,
      message: `canary healthy hosts ${fmtPct(observed)} (${healthy} of ${total}) ${ok ? '≥' : '<'} min-healthy-percent ${formatPercent(limit)}: ${ok ? 'pass' : 'rollback'}`,
    });
  }
  for (const name of gates.alarms) {
    const value = evidence.alarms?.[name];
    const phase: Phase = value === 'OK' ? 'Successful' : value === 'ALARM' ? 'Failed' : 'Inconclusive';
    checks.push({
      ...base,
      name: `alarms.${name}`,
      phase,
      observed: null,
      threshold: null,
      windows: value ? 1 : 0,
      message:
        value === 'OK'
          ? `alarm '${name}' OK: pass`
          : value === 'ALARM'
            ? `alarm '${name}' in ALARM before the switch: rollback`
            : `alarm '${name}' has ${value ?? 'no state'}: no data`,
    });
  }
  if (gates.smoke) {
    const code = evidence.smoke?.['exit-code'];
    checks.push({
      ...base,
      name: 'smoke-command',
      phase: code === 0 ? 'Successful' : code === undefined ? 'Inconclusive' : 'Failed',
      observed: code ?? null,
      threshold: 0,
      windows: code === undefined ? 0 : 1,
      message:
        code === 0
          ? 'smoke command passed: pass'
          : code === undefined
            ? 'smoke command did not run: no data'
            : `smoke command failed (exit code ${code}): rollback`,
    });
  }
  const phase = worst(checks.map((c) => c.phase));
  const open = checks.filter((c) => c.phase !== 'Successful');
  const message =
    phase === 'Successful'
      ? `every pre-switch check passed (${checks.map((c) => c.message.replace(/: pass$/, '')).join('; ')})`
      : `${phase === 'Inconclusive' ? 'inconclusive, and missing evidence never switches' : 'rollback'}: ${open.map((c) => c.message).join('; ')}`;
  return { phase, message, checks };
}

/**
 * Before anything moves, an A/B plan that will create an audience rule checks its conditions and that
 * the listener has room for the rule at a priority evaluated before the route (a read, no write).
 */
export async function checkAudience(options: RunPlanOptions, route: string): Promise<void> {
  const { state } = options;
  const step = state.plan.slice(state.step).find((s) => s.kind === 'audience' && s.action === 'route');
  if (!step || step.kind !== 'audience' || !options.rules) return;
  parseAudience('audience', step.audience);
  await placeAudience(options.rules, route, state['created-at']);
}
