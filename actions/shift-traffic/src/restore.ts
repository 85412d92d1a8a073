// The post step (see @shiftgate/github post-restore.ts for when it runs and what it puts back).
import { createElbv2Client, Elbv2TrafficRouter } from '@shiftgate/aws';
import { postRestore } from '@shiftgate/github';
import type { Sleeper, TrafficRouter } from '@shiftgate/core';
import { restoreSummary } from './summary';

/** Seams for tests; the post step itself runs with none. */
export interface PostOptions {
  router?: TrafficRouter;
  sleep?: Sleeper;
}

/** The post step: puts back what this step changed, verified, when the job failed or was cancelled. */
export function post(options: PostOptions = {}): Promise<void> {
  return postRestore({
    caller: 'shift-traffic',
    nothing: 'This step moved no traffic (or restore-on-failure is false); nothing to put back.',
    group: 'The job failed or was cancelled: putting back the weights this step changed',
    why: 'the job failed or was cancelled',
    router: (client) =>
      options.router ?? new Elbv2TrafficRouter(createElbv2Client({ caller: 'shift-traffic', ...client })),
    summary: (outcome, record) => restoreSummary(outcome.results, outcome.left, record.pair),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
}
