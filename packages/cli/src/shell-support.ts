// The CLI's shell: hook, saga service and smoke commands run with `bash -c`, as the actions run them.
import type { CommandRunner, ServiceCommandRunner, SmokeRunner } from '@shiftgate/core';
import { runBash } from '@shiftgate/github';
import type { Io } from './command';

/** Runs a shell command with `bash -c`, its output going to stderr; resolves to its exit code. */
export function runShell(command: string, env: Record<string, string>, io: Io): Promise<number> {
  return runBash(command, {
    env,
    baseEnv: io.env,
    cwd: io.cwd,
    output: io.stderr,
    onStartError: (message) => io.stderr(`could not start bash: ${message}\n`),
  });
}

/** The command runner of hook steps, over {@link runShell}. */
export function shellHooks(io: Io): CommandRunner {
  return async (hook) => ({ 'exit-code': await runShell(hook.command, hook.env, io) });
}

/** The saga service command runner, over {@link runShell}. */
export function shellServices(io: Io): ServiceCommandRunner {
  return async (command) => ({ 'exit-code': await runShell(command.command, command.env, io) });
}

/** The smoke runner, over {@link runShell}. */
export function shellSmoke(command: string, io: Io): SmokeRunner {
  return async () => ({ 'exit-code': await runShell(command, {}, io) });
}
