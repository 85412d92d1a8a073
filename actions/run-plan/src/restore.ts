// The post step. As for shift-traffic, the runner evaluates `post-if: failure() || cancelled()` when the
// job ends, so this runs only after a failure or a cancellation. What is put back, and what is left
// alone, is decided in core's putBack().
import * as core from '@actions/core';
import {
  errorMessage,
  parseRestoreRecord,
  putBack,
  putBackNotice,
  type Sleeper,
  type TrafficRouter,
} from '@shiftgate/core';
import { createElbv2Client, Elbv2TrafficRouter } from '@shiftgate/aws';
import { actionsLogger } from './logger';

/** The `core.saveState` key holding the restore record (packages/core/src/traffic-restore.ts). */
export const RESTORE_STATE = 'restore';

/** Seams for tests; the post step itself runs with none. */
export interface PostOptions {
  router?: TrafficRouter;
  sleep?: Sleeper;
}

/** The post step: puts back what the run changed, verified, when the job failed or was cancelled first. */
export async function post(options: PostOptions = {}): Promise<void> {
  try {
    const text = core.getState(RESTORE_STATE);
    if (text === '') {
      core.info('The plan finished (or moved no traffic); nothing to put back.');
      return;
    }
    const record = parseRestoreRecord(text);
    const router =
      options.router ??
      new Elbv2TrafficRouter(
        createElbv2Client({
          caller: 'run-plan',
          region: record.region,
          retryMode: record['retry-mode'],
          maxAttempts: record['max-attempts'],
        }),
      );
    const outcome = await core.group(
      'The job ended before the plan finished: putting back the weights this run changed',
      () =>
        putBack(router, record, {
          logger: actionsLogger,
          ...(options.sleep ? { sleep: options.sleep } : {}),
        }),
    );
    core.notice(putBackNotice(outcome, 'the job ended before the plan finished'));
  } catch (error) {
    core.setFailed(`run-plan post failed: ${errorMessage(error)}`);
  }
}
