// The post step (see @shiftgate/github post-restore.ts for when it runs and what it puts back).
import { createElbv2Router } from '@shiftgate/aws';
import { postRestore, type TrafficDependencies } from '@shiftgate/github';
import { restoreSummary } from './summary';

/** What the post step talks to and waits with (see {@link TrafficDependencies}). */
export type Dependencies = TrafficDependencies;

/** The post step: puts back what this step changed, verified, when the job failed or was cancelled. */
export function post(deps: Dependencies = {}): Promise<void> {
  return postRestore({
    caller: 'shift-traffic',
    nothing: 'This step moved no traffic (or restore-on-failure is false); nothing to put back.',
    group: 'The job failed or was cancelled: putting back the weights this step changed',
    why: 'the job failed or was cancelled',
    router: (client) => deps.router ?? createElbv2Router('shift-traffic', client),
    summary: (outcome, record) => restoreSummary(outcome.results, outcome.left, record.pair),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
}
