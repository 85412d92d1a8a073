// Saga: deploy services in order with this run's commands, judge each with its own gate (alarms and
// smoke), and on any failure compensate the failing service and every deployed one in reverse, each
// compensation retried with backoff. Every command, its exit code and duration, goes to the saga log.
import { errorMessage, InputError, type Clock, type Logger, type Sleeper } from '../shared/index';
import { worst, type AlarmState, type Check, type Phase } from '../health/index';
import {
  needsCompensation,
  type RolloutState,
  type ServiceState,
  type ServiceStatus,
} from '../rollout/index';
import { checkPlanServices, type ServiceSpec, type ServiceTargets, type Step } from '../strategy/index';
import {
  restoreServiceTargets,
  serviceTargetsGate,
  shiftServiceTargets,
  type TargetRestore,
} from './saga-targets';
import { Cancelled, StepFailure, type RunContext, type StepOutcome } from './context';
import type { RollbackRecord, SagaCommandRecord, SagaHooks, SagaReport, ServiceCommand } from './types';

/** Tries of one compensation, and the first pause between them (doubling). */
const ATTEMPTS = 3;
const BACKOFF_MS = 1000;

/** What a saga run has done so far: every command, and where each service stands. */
export class SagaLog {
  readonly commands: SagaCommandRecord[] = [];
  readonly compensated: string[] = [];
  private readonly status = new Map<string, ServiceStatus>();

  /**
   * Where each service stands as the state records it; a state that records none counts the services
   * before `state.step` as deployed.
   */
  constructor(state: RolloutState) {
    const recorded = new Map((state.services ?? []).map((s) => [s.name, s.status]));
    state.plan.forEach((step, index) => {
      if (step.kind === 'service')
        this.status.set(
          step.service,
          recorded.get(step.service) ?? (index < state.step ? 'deployed' : 'untouched'),
        );
    });
  }

  set(service: string, status: ServiceStatus): void {
    this.status.set(service, status);
  }

  /** Where a service stands. */
  get(service: string): ServiceStatus | undefined {
    return this.status.get(service);
  }

  /** Each service with its status, in deployment order, as the state records them. */
  states(): ServiceState[] {
    return [...this.status].map(([name, status]) => ({ name, status }));
  }

  /** True when some service is deployed or failing: there is something to compensate. */
  pending(): boolean {
    return [...this.status.values()].some(needsCompensation);
  }

  /** The services in deployment order with their status, the compensated ones in the order undone. */
  report(): SagaReport {
    return {
      services: [...this.status].map(([name, status]) => ({ name, status })),
      compensated: [...this.compensated],
      commands: this.commands.map((c) => ({ ...c })),
    };
  }
}

/** The SHIFTGATE_* variables of a service command. */
export function serviceEnv(
  state: RolloutState,
  service: ServiceSpec,
  phase: ServiceCommand['phase'],
  attempt: number,
): Record<string, string> {
  return {
    SHIFTGATE_SERVICE: service.name,
    SHIFTGATE_SERVICE_ORDER: String(service['deployment-order']),
    SHIFTGATE_PHASE: phase,
    SHIFTGATE_ATTEMPT: String(attempt),
    SHIFTGATE_STRATEGY: state.strategy,
    SHIFTGATE_ENVIRONMENT: state.environment ?? '',
    SHIFTGATE_VERSION: state.version ?? '',
    SHIFTGATE_DEPLOYMENT_ID: state['deployment-id'] === null ? '' : String(state['deployment-id']),
  };
}

/**
 * Refuses, before anything runs, a saga whose configured services differ from the plan's, or a service
 * with no evidence to judge it by (no alarms and no smoke of its own or of the run): missing evidence
 * never promotes.
 */
export function checkSaga(
  state: RolloutState,
  saga: SagaHooks,
  run: { alarms: readonly string[]; smoke: boolean; queries: readonly string[] },
): void {
  checkPlanServices('services', state.plan, saga.services);
  // A service's own queries are read with the run's: their ids must differ.
  for (const service of saga.services) {
    const clash = (service.queries ?? []).find((q) => run.queries.includes(q.id));
    if (clash)
      throw new InputError('services', clash.id, '', {
        message: `Input 'services': service '${service.name}' has metric query '${clash.id}', as the run's metric-queries do; give it another id. Nothing was changed.`,
      });
  }
  if (run.alarms.length > 0 || run.smoke) return;
  // A service with targets is judged by the canary's metrics on them.
  const blind = saga.services.find((s) => s.alarms.length === 0 && s.smoke === '' && !s.targets);
  if (blind) {
    throw new InputError('services', blind.name, '', {
      message: `Input 'services': service '${blind.name}' has nothing to judge it by after its deploy; give it 'alarms' or 'smoke' (or give the run 'alarms' or 'smoke-command'): missing evidence never promotes. Nothing was changed.`,
    });
  }
}

/** Runs one service command through the saga's runner and logs it with its exit code and duration. */
async function runCommand(
  saga: SagaHooks,
  log: SagaLog,
  clock: Clock,
  command: ServiceCommand,
): Promise<number> {
  const started = clock.now();
  let code: number;
  let error: string | null = null;
  try {
    code = (await saga.run(command))['exit-code'];
  } catch (thrown) {
    code = 127;
    error = errorMessage(thrown);
  }
  log.commands.push({
    service: command.service.name,
    phase: command.phase,
    attempt: command.attempt,
    'exit-code': code,
    'duration-ms': clock.now() - started,
    at: new Date(started).toISOString(),
    ...(error !== null ? { error } : {}),
  });
  return code;
}

function specOf(saga: SagaHooks, name: string): ServiceSpec {
  const spec = saga.services.find((s) => s.name === name);
  // checkSaga made sure every planned service is configured.
  if (!spec) throw new Error(`service '${name}' is not configured`);
  return spec;
}

/** The executor of a `service` step: runs the service's deploy command; non-zero fails the step. */
export async function serviceStep(
  run: RunContext,
  step: Extract<Step, { kind: 'service' }>,
): Promise<StepOutcome> {
  const saga = run.options.hooks!.saga!;
  const log = run.saga!;
  const spec = specOf(saga, step.service);
  log.set(spec.name, 'failed');
  const code = await runCommand(saga, log, run.options.clock, {
    service: spec,
    phase: 'deploy',
    command: spec.deploy,
    env: serviceEnv(run.state, spec, 'deploy', 1),
    attempt: 1,
  });
  if (code !== 0)
    throw new StepFailure(`service ${spec.name} deploy exited with code ${code}: compensating`, 'rollback');
  // A service with targets serves its new version from its canary target group once they are switched.
  const switched = spec.targets ? `; ${await shiftServiceTargets(run, spec, spec.targets)}` : '';
  log.set(spec.name, 'deployed');
  run.servingSince = run.options.clock.now();
  return { message: `service ${spec.name} deployed (exit code 0)${switched}` };
}

/**
 * The bake after a saga service: the service's gate — its alarms and smoke command with the run's own —
 * read every period for the bake's duration. An alarm in ALARM or a failing smoke command fails at
 * once; an alarm without data at the end is inconclusive (never a pass).
 */
export async function serviceGateStep(
  run: RunContext,
  step: Extract<Step, { kind: 'bake' }>,
  index: number,
): Promise<StepOutcome> {
  const { options } = run;
  const { clock, sleep, signal, gates } = options;
  const previous = run.state.plan[index - 1];
  const spec = previous?.kind === 'service' ? specOf(options.hooks!.saga!, previous.service) : null;
  const name = spec?.name ?? 'saga';
  if (spec?.targets) {
    const saga = options.hooks!.saga!;
    let polls = 0;
    // The service's smoke command, then the run's: the first that fails is the reading.
    const smoke =
      spec.smoke !== '' || options.smoke
        ? async () => {
            polls++;
            if (spec.smoke !== '') {
              const code = await runCommand(saga, run.saga!, clock, {
                service: spec,
                phase: 'smoke',
                command: spec.smoke,
                env: serviceEnv(run.state, spec, 'smoke', polls),
                attempt: polls,
              });
              if (code !== 0) return { 'exit-code': code };
            }
            return options.smoke ? options.smoke() : { 'exit-code': 0 };
          }
        : null;
    return serviceTargetsGate(run, step, index, spec, spec.targets, smoke);
  }
  const alarms = [...new Set([...gates.alarms, ...(spec?.alarms ?? [])])];
  const duration = options.bakeTime ?? step['duration-ms'];
  const end = clock.now() + duration;
  let errors = 0;
  let polls = 0;
  for (;;) {
    if (signal?.aborted) throw new Cancelled();
    let checks: Check[];
    try {
      const states = alarms.length > 0 ? await options.alarms!.states(alarms) : {};
      const own =
        spec && spec.smoke !== ''
          ? await runCommand(options.hooks!.saga!, run.saga!, clock, {
              service: spec,
              phase: 'smoke',
              command: spec.smoke,
              env: serviceEnv(run.state, spec, 'smoke', polls + 1),
              attempt: polls + 1,
            })
          : null;
      const shared = options.smoke ? (await options.smoke())['exit-code'] : null;
      checks = gateChecks(alarms, states, { own, shared });
      errors = 0;
    } catch (error) {
      if (error instanceof InputError) throw error;
      if (++errors > gates.maxConsecutiveErrors)
        throw new StepFailure(
          `service ${name} gate: ${errors} provider errors in a row (${errorMessage(error)}): rollback`,
          'rollback',
        );
      await sleep(options.period, signal);
      continue;
    }
    polls++;
    const phase = worst(checks.map((c) => c.phase));
    const health = { checks, phase };
    const said = checks.map((c) => c.message).join('; ');
    const open = checks
      .filter((c) => c.phase !== 'Successful')
      .map((c) => c.message)
      .join('; ');
    if (phase === 'Failed')
      throw new StepFailure(`service ${name} gate: ${open}: rollback`, 'rollback', health);
    if (clock.now() >= end) {
      if (phase === 'Successful')
        return { message: `service ${name} gate passed after ${polls} readings: ${said}`, more: { health } };
      const decision = gates.onInconclusive === 'fail' ? 'inconclusive' : 'rollback';
      throw new StepFailure(
        `service ${name} gate inconclusive, and missing evidence never promotes: ${open}`,
        decision,
        health,
      );
    }
    await sleep(Math.min(options.period, end - clock.now()), signal);
  }
}

/** One reading of a service gate as checks: each alarm, the service's smoke, the run's smoke. */
function gateChecks(
  alarms: readonly string[],
  states: Record<string, AlarmState>,
  smoke: { own: number | null; shared: number | null },
): Check[] {
  const base = { interval: null, evidence: null, threshold: null, windows: 1 };
  const checks: Check[] = alarms.map((alarm) => {
    const value = states[alarm];
    const phase: Phase = value === 'OK' ? 'Successful' : value === 'ALARM' ? 'Failed' : 'Inconclusive';
    return {
      ...base,
      name: `alarms.${alarm}`,
      phase,
      observed: null,
      message: `alarm '${alarm}' ${value === 'OK' ? 'OK' : value === 'ALARM' ? 'in ALARM' : `has ${value ?? 'no state'}`}`,
    };
  });
  for (const [name, code] of [
    ['smoke', smoke.own],
    ['smoke-command', smoke.shared],
  ] as const) {
    if (code === null) continue;
    checks.push({
      ...base,
      name,
      phase: code === 0 ? 'Successful' : 'Failed',
      observed: code,
      threshold: 0,
      message: `${name === 'smoke' ? "the service's smoke command" : 'smoke command'} ${code === 0 ? 'passed' : `failed (exit code ${code})`}`,
    });
  }
  return checks;
}

/** What compensation needs besides the saga hooks. */
export interface CompensationOptions {
  saga: SagaHooks;
  log: SagaLog;
  clock: Clock;
  sleep: Sleeper;
  logger: Logger;
  /** Sends the targets of services that have them back to their stable target group. */
  traffic?: Omit<TargetRestore, 'sleep' | 'logger'>;
}

/**
 * Compensates, in reverse deployment order, every service the saga log says is deployed or failing
 * (the failing one included; a state from an earlier run says the same of its services). Each
 * compensation is tried up to `attempts` times, a doubling pause apart; when one still fails,
 * compensation stops there (the services before it may depend on it being undone first) and the
 * rollback's error is `compensation-failed: <service>`.
 */
export async function compensateServices(
  state: RolloutState,
  options: CompensationOptions,
  record: RollbackRecord,
): Promise<void> {
  const { saga, log, clock, sleep, logger } = options;
  const attempts = Math.max(1, saga.attempts ?? ATTEMPTS);
  const backoff = saga.backoff ?? BACKOFF_MS;
  for (const step of state.compensation) {
    if (step.kind !== 'service') continue;
    const status = log.get(step.service);
    if (status === undefined || !needsCompensation(status)) continue;
    const spec = specOf(saga, step.service);
    // Its traffic goes back first, so no request reaches what the compensation is about to undo.
    if (spec.targets) {
      const undone = await restoreTargets(spec, spec.targets, options, record);
      if (!undone) return;
    }
    let code = -1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      code = await runCommand(saga, log, clock, {
        service: spec,
        phase: 'compensate',
        command: spec.compensate,
        env: serviceEnv(state, spec, 'compensate', attempt),
        attempt,
      });
      if (code === 0) break;
      logger.warning(
        `compensating service ${spec.name} failed (exit code ${code}, attempt ${attempt} of ${attempts})`,
      );
      if (attempt < attempts) await sleep(backoff * 2 ** (attempt - 1));
    }
    if (code !== 0) {
      log.set(spec.name, 'failed');
      record.undo.push(
        `service ${spec.name} could not be compensated (exit code ${code}, ${attempts} attempts)`,
      );
      record.error = `compensation-failed: ${spec.name}`;
      return;
    }
    log.set(spec.name, 'compensated');
    log.compensated.push(spec.name);
    record.undo.push(`service ${spec.name} compensated (exit code 0)`);
  }
}

/**
 * Before a rollback from outside the run (the rollback action, `shiftgate rollback`, the run-plan post
 * step): a saga state that records services left deployed or failing needs this run's `services`, naming
 * the same services as the plan, since a state carries names and never commands. Throws an
 * {@link InputError} naming `input` otherwise; nothing has changed yet.
 */
export function checkSagaCompensation(
  input: string,
  state: RolloutState,
  services: readonly ServiceSpec[],
): void {
  if (state.strategy !== 'saga') return;
  const log = new SagaLog(state);
  if (!log.pending()) return;
  if (services.length === 0) {
    const left = log
      .states()
      .filter((s) => needsCompensation(s.status))
      .map((s) => `${s.name} (${s.status})`);
    throw new InputError(input, '', '', {
      message: `Input '${input}' is empty, but the saga state records ${left.join(', ')} to compensate; give the same 'services' as the run (their compensate commands come from there, never from a state). Nothing was changed.`,
    });
  }
  checkPlanServices(input, state.plan, services);
}

/** Restores a service's targets for its compensation; false (the rollback failed, named) when it cannot. */
async function restoreTargets(
  spec: ServiceSpec,
  targets: ServiceTargets,
  options: CompensationOptions,
  record: RollbackRecord,
): Promise<boolean> {
  const fail = (why: string) => {
    options.log.set(spec.name, 'failed');
    record.undo.push(
      `service ${spec.name}'s targets could not be sent back to its stable target group: ${why}`,
    );
    record.error = `compensation-failed: ${spec.name}`;
    return false;
  };
  if (!options.traffic) return fail('no router to send them back with');
  try {
    const results = await restoreServiceTargets(targets, {
      ...options.traffic,
      sleep: options.sleep,
      logger: options.logger,
    });
    record.routes.push(...results);
    const moved = results.filter((r) => r.changed).length;
    record.undo.push(
      `service ${spec.name}'s targets ${moved > 0 ? 'sent back to' : 'already on'} its stable target group (verified)`,
    );
    return true;
  } catch (error) {
    return fail(errorMessage(error));
  }
}
