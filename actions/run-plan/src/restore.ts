// The post step. As for shift-traffic, the runner evaluates `post-if: failure() || cancelled()` when the
// job ends, so this runs only after a failure or a cancellation. Putting traffic back is shared with
// shift-traffic; what is put back, and what is left alone, is decided in core's putBack().
import { RESTORE_STATE, restorePost, type PostOptions } from '../../shift-traffic/src/restore';

export { RESTORE_STATE, type PostOptions };

/** The post step: puts back what the run changed, verified, when the job failed or was cancelled first. */
export function post(options: PostOptions = {}): Promise<void> {
  return restorePost(
    {
      caller: 'run-plan',
      nothing: 'The plan finished (or moved no traffic); nothing to put back.',
      group: 'The job ended before the plan finished: putting back the weights this run changed',
      why: 'the job ended before the plan finished',
      summary: false,
    },
    options,
  );
}
