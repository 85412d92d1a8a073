// The post step (see @shiftgate/github post-restore.ts for when it runs and what it puts back).
import { createElbv2Router } from '@shiftgate/aws';
import { postRestore, type TrafficDependencies } from '@shiftgate/github';

/** What the post step talks to and waits with (see {@link TrafficDependencies}). */
export type Dependencies = TrafficDependencies;

/** The post step: puts back what the run changed, verified, when the job failed or was cancelled first. */
export function post(deps: Dependencies = {}): Promise<void> {
  return postRestore({
    caller: 'run-plan',
    nothing: 'The plan finished (or moved no traffic); nothing to put back.',
    group: 'The job ended before the plan finished: putting back the weights this run changed',
    why: 'the job ended before the plan finished',
    router: (client) => deps.router ?? createElbv2Router('run-plan', client),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
}
