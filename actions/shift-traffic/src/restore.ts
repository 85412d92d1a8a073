// The post step. The runner evaluates `post-if: failure() || cancelled()` against the job's status when
// the job ends, so this only runs when the job failed or was cancelled; a JavaScript action cannot read
// the job's status itself. What is put back, and what is left alone, is decided in core's putBack().
import * as core from '@actions/core';
import {
  errorMessage,
  parseRestoreRecord,
  putBack,
  putBackNotice,
  systemSleep,
  type Sleeper,
  type TrafficRouter,
} from '@shiftgate/core';
import { createElbv2Client, Elbv2TrafficRouter } from '@shiftgate/aws';
import { actionsLogger } from '@shiftgate/github';
import { restoreSummary } from './summary';

/** The `core.saveState` key holding the restore record (core traffic/restore.ts). */
export const RESTORE_STATE = 'restore';

/** Seams for tests; the post step itself runs with none. */
export interface PostOptions {
  router?: TrafficRouter;
  sleep?: Sleeper;
}

/** What a post step says; the rest of putting traffic back is the same for every action that moves it. */
export interface PostConfig {
  caller: string;
  /** Logged when the main step saved nothing to put back. */
  nothing: string;
  /** The log group around the restore. */
  group: string;
  /** Ends the notice: "… because <why>." */
  why: string;
  /** Write the before/after table to the job summary. */
  summary: boolean;
}

/** Puts back what the job changed, verified, when it failed or was cancelled (see the header). */
export async function restorePost(config: PostConfig, options: PostOptions = {}): Promise<void> {
  try {
    const text = core.getState(RESTORE_STATE);
    if (text === '') {
      core.info(config.nothing);
      return;
    }
    const record = parseRestoreRecord(text);
    const router =
      options.router ??
      new Elbv2TrafficRouter(
        createElbv2Client({
          caller: config.caller,
          region: record.region,
          retryMode: record['retry-mode'],
          maxAttempts: record['max-attempts'],
        }),
      );
    const outcome = await core.group(config.group, () =>
      putBack(router, record, {
        logger: actionsLogger,
        sleep: options.sleep ?? systemSleep,
        random: Math.random,
      }),
    );
    core.notice(putBackNotice(outcome, config.why));
    if (config.summary)
      await core.summary.addRaw(restoreSummary(outcome.results, outcome.left, record.pair)).write();
  } catch (error) {
    core.setFailed(`${config.caller} post failed: ${errorMessage(error)}`);
  }
}

/** The post step: puts back what this step changed, verified, when the job failed or was cancelled. */
export function post(options: PostOptions = {}): Promise<void> {
  return restorePost(
    {
      caller: 'shift-traffic',
      nothing: 'This step moved no traffic (or restore-on-failure is false); nothing to put back.',
      group: 'The job failed or was cancelled: putting back the weights this step changed',
      why: 'the job failed or was cancelled',
      summary: true,
    },
    options,
  );
}
