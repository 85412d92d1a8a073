// The post step that puts traffic back, for every action that moves it (shift-traffic, run-plan). The
// runner evaluates the action's `post-if: failure() || cancelled()` when the job ends, so this runs only
// after a failure or a cancellation; a JavaScript action cannot read the job's status itself. What is
// put back, and what is left alone, is decided in core's putBack(); how to reach the provider again
// (region, retries) is saved here, next to core's record, because core knows no SDK settings.
import * as core from '@actions/core';
import {
  errorMessage,
  isObject,
  parseRestoreRecord,
  putBack,
  putBackNotice,
  type Json,
  type PutBackResult,
  type RestoreRecord,
  type Sleeper,
  type TrafficRouter,
} from '@shiftgate/core';
import { actionsLogger, log, runStep } from './log';
import { systemSleep } from './time';

/** The `core.saveState` key holding what the post step restores. */
export const RESTORE_STATE = 'restore';

/** How the post step reconnects to the provider: the main step's own settings. */
export interface ClientSettings {
  region: string;
  retryMode: 'standard' | 'adaptive';
  maxAttempts: number;
}

/** What the main step saves: core's record, and the client settings next to it. */
export interface SavedRestore {
  client: ClientSettings;
  record: RestoreRecord;
}

/**
 * Saves what the post step needs, before the first write: if the process is killed mid-way the post
 * step can still put traffic back. Written and read by the same bundle in the same job.
 */
export function saveRestoreState(client: ClientSettings, record: RestoreRecord): void {
  const saved = {
    version: 1,
    client: { region: client.region, 'retry-mode': client.retryMode, 'max-attempts': client.maxAttempts },
    record,
  };
  core.saveState(RESTORE_STATE, JSON.stringify(saved));
}

/** Leaves nothing for the post step: the main step finished, or put traffic back itself. */
export function clearRestoreState(): void {
  core.saveState(RESTORE_STATE, '');
}

/**
 * Reads the envelope a main step saved for its post step (`{version: 1, client, ...}`), refusing anything
 * malformed through `fail`: the document and the AWS client settings to reconnect with.
 */
export function parseSavedEnvelope(
  text: string,
  fail: (why: string) => never,
): { doc: { [key: string]: Json }; client: ClientSettings } {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    return fail('not JSON');
  }
  if (!isObject(doc) || doc.version !== 1) return fail('unknown version');
  const client = doc.client;
  if (
    !isObject(client) ||
    typeof client.region !== 'string' ||
    (client['retry-mode'] !== 'standard' && client['retry-mode'] !== 'adaptive') ||
    typeof client['max-attempts'] !== 'number'
  ) {
    return fail('no AWS settings');
  }
  return {
    doc,
    client: { region: client.region, retryMode: client['retry-mode'], maxAttempts: client['max-attempts'] },
  };
}

/** Reads what {@link saveRestoreState} wrote, refusing anything malformed (a restore must never guess). */
export function parseRestoreState(text: string): SavedRestore {
  const { doc, client } = parseSavedEnvelope(text, (why) => {
    throw new Error(
      `the state saved by the main step is unreadable (${why}); check the listeners and rules by hand`,
    );
  });
  return { client, record: parseRestoreRecord(doc.record) };
}

/** What a post step says and uses; the rest of putting traffic back is the same for every action. */
export interface PostRestoreConfig {
  /** The action's name, in the failure message. */
  caller: string;
  /** Logged when the main step saved nothing to put back. */
  nothing: string;
  /** The log group around the restore. */
  group: string;
  /** Ends the notice: "… because <why>." */
  why: string;
  /** The provider's router, reconnected with the main step's settings. */
  router: (client: ClientSettings) => TrafficRouter;
  /** The job summary of the restore, when the action writes one. */
  summary?: (outcome: PutBackResult, record: RestoreRecord) => string;
  /** Waits between read-backs; real time unless a test says otherwise. */
  sleep?: Sleeper;
  /**
   * What else the job left to undo (an audience rule, saga services), run after traffic is put back,
   * whether or not that succeeded; its failure fails the post step too.
   */
  after?: () => Promise<void>;
}

/** The post step: puts back what the job changed, verified, when it failed or was cancelled. */
export async function postRestore(config: PostRestoreConfig): Promise<void> {
  await runStep(`${config.caller} post`, async () => {
    let failure: unknown = null;
    try {
      await putTrafficBack(config);
    } catch (error) {
      failure = error;
    }
    if (config.after) {
      try {
        await config.after();
      } catch (error) {
        // Both failed: one error, naming both, so neither is lost.
        if (failure !== null) throw new Error(`${errorMessage(failure)}; and ${errorMessage(error)}`);
        throw error;
      }
    }
    if (failure !== null) throw failure;
  });
}

async function putTrafficBack(config: PostRestoreConfig): Promise<void> {
  const text = core.getState(RESTORE_STATE);
  if (text === '') {
    log.info(config.nothing);
    return;
  }
  const { client, record } = parseRestoreState(text);
  const router = config.router(client);
  const outcome = await log.group(config.group, () =>
    putBack(router, record, {
      logger: actionsLogger,
      sleep: config.sleep ?? systemSleep,
      random: Math.random,
    }),
  );
  log.notice(putBackNotice(outcome, config.why));
  if (config.summary) await core.summary.addRaw(config.summary(outcome, record)).write();
}
