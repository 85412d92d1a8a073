// What the post step undoes besides traffic: an A/B test's audience rule and a saga's deployed services.
// The main step saves the rollout state (names and statuses, never commands) at every step, with the
// AWS client settings; after a killed or cancelled job the post step hands it to the one rollback, with
// the compensate commands of this job's own `services` input.
import * as core from '@actions/core';
import { createElbv2Client, Elbv2RuleManager, regionalRouter } from '@shiftgate/aws';
import {
  checkSagaCompensation,
  parseRolloutState,
  parseServices,
  rollbackRollout,
  type RolloutState,
  type RuleManager,
  type RunEvent,
  type ServiceCommandRunner,
  type Sleeper,
  type TrafficRouter,
} from '@shiftgate/core';
import {
  actionsLogger,
  log,
  parseSavedEnvelope,
  shellServiceRunner,
  systemClock,
  systemSleep,
  type ClientSettings,
} from '@shiftgate/github';

/** The `core.saveState` key holding the rollout the post step undoes. */
export const ROLLOUT_STATE = 'rollout';

/** Plans the post step has more to undo for than traffic: saga services, an audience rule. */
export function needsUndo(state: RolloutState): boolean {
  return state.plan.some((s) => s.kind === 'service' || s.kind === 'audience');
}

/**
 * Saves, as the run goes, the rollout state the post step would undo from: at every step's start (a
 * saga service whose deploy started counts as failing) and end, with the audience rule the run made.
 */
export function rolloutSaver(client: ClientSettings): {
  onEvent: (event: RunEvent) => void;
  save: (state: RolloutState) => void;
} {
  let rule: string | null = null;
  const save = (state: RolloutState) => {
    if (!needsUndo(state)) return;
    const saved = {
      version: 1,
      client: { region: client.region, 'retry-mode': client.retryMode, 'max-attempts': client.maxAttempts },
      rule,
      state,
    };
    core.saveState(ROLLOUT_STATE, JSON.stringify(saved));
  };
  return {
    save,
    onEvent: (event) => {
      if (event.type === 'step-end' && event.record.rule) rule = event.record.rule.arn;
      if (event.type === 'step-start' || event.type === 'step-end') save(event.state);
    },
  };
}

/** Leaves nothing for the post step to undo: the run finished, or undid what it did itself. */
export function clearRollout(): void {
  core.saveState(ROLLOUT_STATE, '');
}

/** What the post step's undo talks to; real AWS clients and bash unless a test says otherwise. */
export interface UndoDependencies {
  router?: TrafficRouter;
  rules?: RuleManager;
  services?: ServiceCommandRunner;
  sleep?: Sleeper;
}

/**
 * Undoes what the saved rollout left: removes the audience rule (by its tag, retried) and compensates
 * the saga services left deployed or failing, in reverse, with this job's `services`. Throws, naming
 * the rule or the service, when it cannot.
 */
export async function undoRollout(deps: UndoDependencies = {}): Promise<void> {
  const text = core.getState(ROLLOUT_STATE);
  if (text === '') return;
  const saved = parseSaved(text);
  const { state } = saved;
  const services = parseServices('services', core.getInput('services'));
  checkSagaCompensation('services', state, services);
  const settings = {
    caller: 'run-plan',
    retryMode: saved.client.retryMode,
    maxAttempts: saved.client.maxAttempts,
  };
  const rules =
    deps.rules ?? new Elbv2RuleManager(createElbv2Client({ ...settings, region: saved.client.region }));
  const result = await log.group(
    'The job ended before the plan finished: undoing its rule and services',
    () =>
      rollbackRollout({
        router: deps.router ?? regionalRouter(settings),
        rules,
        audienceRule: saved.rule,
        // Traffic is put back from the restore record, route by route; this undoes the rest.
        routes: [],
        pair: {
          stable: state['stable-target-group-arn'] ?? '',
          canary: state['canary-target-group-arn'] ?? '',
        },
        to: 'stable',
        reason: 'the job ended before the plan finished',
        state,
        clock: systemClock,
        sleep: deps.sleep ?? systemSleep,
        logger: actionsLogger,
        random: Math.random,
        attempts: 3,
        ...(services.length > 0
          ? {
              undo: {
                hooks: { saga: { services, run: deps.services ?? shellServiceRunner } },
                started: state.step,
              },
            }
          : {}),
      }),
  );
  for (const line of result.record.undo) log.info(line);
  if (!result.restored) throw new Error(result.record.error ?? 'the rollback did not finish');
  if (result.record.undo.length > 0)
    log.notice(`Undone because the job ended before the plan finished: ${result.record.undo.join('; ')}.`);
}

function parseSaved(text: string): { client: ClientSettings; rule: string | null; state: RolloutState } {
  const { doc, client } = parseSavedEnvelope(text, (why) => {
    throw new Error(
      `the rollout saved by the main step is unreadable (${why}); check the audience rule and the saga services by hand`,
    );
  });
  const rule = typeof doc.rule === 'string' ? doc.rule : null;
  const state = parseRolloutState('saved rollout', JSON.stringify(doc.state));
  return { client, rule, state };
}
