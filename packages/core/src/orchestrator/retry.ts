// Which failures a step retries, and the retry loop itself: provider errors are retried a period later,
// at most `max-consecutive-errors` times; refusals and the step's own failures end the step at once.
import { errorMessage, formatDuration, InputError } from '../shared/index';
import {
  ForwardActionError,
  RouterError,
  RouteTransactionError,
  WeightsChangedError,
  WeightsNotVerifiedError,
} from '../traffic/index';
import { Cancelled, StepFailure, type RunContext } from './context';

/**
 * True for failures worth retrying: provider errors whose outcome is unknown or that were throttled,
 * and plain errors from metric or alarm providers. Refusals (bad input, a route without a forward
 * action, weights someone else changed, access denied, not found) are not.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof RouteTransactionError) return isTransient(error.cause);
  if (
    error instanceof InputError ||
    error instanceof ForwardActionError ||
    error instanceof WeightsChangedError ||
    error instanceof WeightsNotVerifiedError
  ) {
    return false;
  }
  if (error instanceof RouterError)
    return !error.rejected || error.name === 'ThrottledError' || /^Throttl/.test(error.code);
  return error instanceof Error;
}

/**
 * Runs a step, retrying provider errors (throttling after the SDK's own retries, 5xx, lost answers)
 * a period later, at most `max-consecutive-errors` times; anything else fails the step at once.
 * Every retried error is appended to `retries`.
 */
export async function withRetries<T>(
  run: RunContext,
  step: { index: number; retries: string[] },
  fn: () => Promise<T>,
): Promise<T> {
  const { options, logger } = run;
  const { index, retries } = step;
  const limit = options.gates.maxConsecutiveErrors;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof StepFailure || error instanceof Cancelled || !isTransient(error)) throw error;
      const message = errorMessage(error);
      if (retries.length >= limit) {
        throw new StepFailure(
          `${retries.length + 1} provider errors in a row > max-consecutive-errors ${limit} at step ${index + 1} (${message}): never promoting`,
          'rollback',
        );
      }
      retries.push(message);
      logger.warning(`step ${index + 1} failed (${message}); retrying in ${formatDuration(options.period)}`);
      run.emit({ type: 'retry', index, attempt, error: message, waitMs: options.period });
      await options.sleep(options.period, options.signal);
      if (options.signal?.aborted) throw new Cancelled();
    }
  }
}
