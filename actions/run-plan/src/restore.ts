// The post step (see @shiftgate/github post-restore.ts for when it runs and what it puts back).
import { regionalRouter } from '@shiftgate/aws';
import { postRestore } from '@shiftgate/github';
import type { Sleeper, TrafficRouter } from '@shiftgate/core';

/** Seams for tests; the post step itself runs with none. */
export interface PostOptions {
  router?: TrafficRouter;
  sleep?: Sleeper;
}

/** The post step: puts back what the run changed, verified, when the job failed or was cancelled first. */
export function post(options: PostOptions = {}): Promise<void> {
  return postRestore({
    caller: 'run-plan',
    nothing: 'The plan finished (or moved no traffic); nothing to put back.',
    group: 'The job ended before the plan finished: putting back the weights this run changed',
    why: 'the job ended before the plan finished',
    // Routes name their region: each goes to its own region's client (a rollout over cells spans many).
    router: (client) =>
      options.router ??
      regionalRouter({ caller: 'run-plan', retryMode: client.retryMode, maxAttempts: client.maxAttempts }),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
}
