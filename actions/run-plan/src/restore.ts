// The post step (see @shiftgate/github post-restore.ts for when it runs and what it puts back).
import { regionalRouter } from '@shiftgate/aws';
import { postRestore, type TrafficDependencies } from '@shiftgate/github';
import { undoRollout, type UndoDependencies } from './undo';

/** What the post step talks to and waits with (see {@link TrafficDependencies}), and what it undoes with. */
export type Dependencies = TrafficDependencies & UndoDependencies;

/**
 * The post step: puts back what the run changed, verified, when the job failed or was cancelled first;
 * then removes an A/B audience rule and compensates saga services the run left.
 */
export function post(deps: Dependencies = {}): Promise<void> {
  return postRestore({
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
}
