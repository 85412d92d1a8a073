// The post step (see @shiftgate/github post-restore.ts for when it runs and what it puts back), and for
// a flag on AWS AppConfig, the emergency disable of what the killed run deployed.
import * as core from '@actions/core';
import { parseRetryMode, regionalRouter } from '@shiftgate/aws';
import {
  disableFlag,
  InputError,
  parseFlagState,
  type FlagProvider,
  type FlagState,
  type Json,
} from '@shiftgate/core';
import {
  actionsLogger,
  log,
  postRestore,
  runStep,
  systemClock,
  systemSleep,
  type TrafficDependencies,
} from '@shiftgate/github';
import { undoRollout, type UndoDependencies } from './undo';

/**
 * What the post step talks to and waits with (see {@link TrafficDependencies}), what it undoes an A/B
 * rule and saga services with, and the flag provider.
 */
export type Dependencies = TrafficDependencies & UndoDependencies & { flags?: FlagProvider };

/** The `core.saveState` key holding the AppConfig flag a killed run must take back. */
export const FLAG_STATE = 'flag';

/** Saves the flag record and the client settings for the post step (empty clears it). */
export function saveFlagState(
  client: { region: string; retryMode: string; maxAttempts: number },
  flag: FlagState | null,
): void {
  core.saveState(FLAG_STATE, flag ? JSON.stringify({ client, flag }) : '');
}

/**
 * The post step: puts back what the run changed, verified, when the job failed or was cancelled first;
 * then removes an A/B audience rule and compensates saga services the run left.
 */
export async function post(deps: Dependencies = {}): Promise<void> {
  await postRestore({
    caller: 'run-plan',
    nothing: 'The plan finished (or moved no traffic); nothing to put back.',
    group: 'The job ended before the plan finished: putting back the weights this run changed',
    why: 'the job ended before the plan finished',
    // Routes name their region: each goes to its own region's client (a rollout over cells spans many).
    router: (client) =>
      deps.router ??
      regionalRouter({ caller: 'run-plan', retryMode: client.retryMode, maxAttempts: client.maxAttempts }),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    after: () => undoRollout(deps),
  });
  await runStep('run-plan post (flag)', () => postFlag(deps));
}

/** Stops the AppConfig deployment the killed run started and deploys the version from before it again. */
async function postFlag(deps: Dependencies): Promise<void> {
  const text = core.getState(FLAG_STATE);
  if (text === '') return;
  const fail = (problem: string): never => {
    throw new InputError('state', FLAG_STATE, '', {
      message: `The saved flag record is unreadable: ${problem}`,
    });
  };
  let saved: Json;
  try {
    saved = JSON.parse(text) as Json;
  } catch {
    return fail('not JSON');
  }
  const doc = (typeof saved === 'object' && saved !== null && !Array.isArray(saved) ? saved : {}) as Record<
    string,
    Json
  >;
  const flag = parseFlagState(doc.flag ?? null, fail);
  if (!flag || flag.deployments.length === 0) return;
  const client = (doc.client ?? {}) as Record<string, Json>;
  let provider = deps.flags;
  if (!provider) {
    const { AppConfigFlagProvider, createAppConfigClient } = await import('@shiftgate/aws/appconfig');
    provider = new AppConfigFlagProvider(
      createAppConfigClient({
        caller: 'run-plan',
        ...(typeof client.region === 'string' && client.region ? { region: client.region } : {}),
        retryMode: parseRetryMode('retry-mode', String(client.retryMode ?? 'standard')),
        ...(typeof client.maxAttempts === 'number' ? { maxAttempts: client.maxAttempts } : {}),
      }),
    );
  }
  const result = await log.group(
    `The job ended before the plan finished: taking flag '${flag['flag-name']}' back`,
    () =>
      disableFlag({
        provider: provider!,
        flag,
        clock: systemClock,
        sleep: deps.sleep ?? systemSleep,
        logger: actionsLogger,
      }),
  );
  for (const line of result.undo) log.info(line);
  if (result.error !== null) throw new Error(result.error);
  log.notice(`flag '${flag['flag-name']}' taken back because the job ended before the plan finished`);
}
