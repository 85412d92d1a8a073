import * as core from '@actions/core';
import * as exec from '@actions/exec';
import { errorMessage, type Logger, type SmokeRunner } from '@shiftgate/core';

/** Core's Logger on the runner's log channels, for every action. */
export const actionsLogger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
};

/**
 * Runs the user's smoke command with bash, its output grouped in the log, one group per run. A command
 * that cannot start counts as exit code 127 (a failed check), never as a pass.
 */
export function shellSmokeRunner(command: string): SmokeRunner {
  let runs = 0;
  return () =>
    core.group(`smoke command, run ${++runs}`, async () => {
      try {
        const code = await exec.exec('bash', ['-c', command], { ignoreReturnCode: true });
        return { 'exit-code': code };
      } catch (error) {
        core.warning(`smoke command could not be started: ${errorMessage(error)}`);
        return { 'exit-code': 127 };
      }
    });
}
