// The runner cancels a job by sending SIGINT, then SIGTERM, to the step's process; a terminal's Ctrl-C
// is SIGINT too. Either one aborts the work, which then restores traffic before it returns.

/** The signals that cancel a run. */
export const CANCEL_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Runs `fn` with an abort signal that SIGINT or SIGTERM triggers, and removes the handlers after it.
 * With `signal` given (tests, a caller that owns cancellation), no handler is installed and that
 * signal is passed on. `onSignal` is told which signal arrived, before the abort.
 */
export async function withCancelSignals<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  options: { signal?: AbortSignal; onSignal?: (name: NodeJS.Signals) => void } = {},
): Promise<T> {
  if (options.signal) return fn(options.signal);
  const controller = new AbortController();
  const cancel = (name: NodeJS.Signals) => {
    options.onSignal?.(name);
    controller.abort();
  };
  for (const name of CANCEL_SIGNALS) process.once(name, cancel);
  try {
    return await fn(controller.signal);
  } finally {
    for (const name of CANCEL_SIGNALS) process.removeListener(name, cancel);
  }
}
