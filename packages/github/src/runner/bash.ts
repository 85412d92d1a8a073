// The user's commands (smoke checks, hook steps) run with `bash -c`, the same way wherever they run:
// in an action, where the output goes to the step's log, and in the CLI, where it goes to stderr.
import { spawn } from 'node:child_process';
import {
  errorMessage,
  type CommandRunner,
  type ServiceCommandRunner,
  type SmokeRunner,
} from '@shiftgate/core';
import { log } from './log';

/** Where a command runs and where its output goes. */
export interface BashOptions {
  /** Added to (and overriding) `baseEnv`. */
  env?: Record<string, string>;
  /** The environment the command starts from; the process's own by default. */
  baseEnv?: Record<string, string | undefined>;
  cwd?: string;
  /** Receives stdout and stderr as they come. */
  output: (chunk: string) => void;
  /** Told why a command could not start (it then counts as exit code 127). */
  onStartError?: (message: string) => void;
}

/**
 * Runs `command` with `bash -c` and resolves to its exit code. A command that cannot start resolves
 * to 127, the shell's "not found": a failed check, never a pass.
 */
export function runBash(command: string, options: BashOptions): Promise<number> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn('bash', ['-c', command], {
        cwd: options.cwd,
        env: { ...(options.baseEnv ?? process.env), ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      options.onStartError?.(errorMessage(error));
      resolve(127);
      return;
    }
    child.stdout.on('data', (d: Buffer) => options.output(d.toString()));
    child.stderr.on('data', (d: Buffer) => options.output(d.toString()));
    child.on('error', (error) => {
      options.onStartError?.(errorMessage(error));
      resolve(127);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * A command in the step's log: in a group titled `title`, its output as it comes (the workflow's own
 * command, so its output is the user's and is not rewritten). `what` names it in a warning.
 */
function groupedBash(
  title: string,
  what: string,
  command: string,
  env: Record<string, string> = {},
): Promise<number> {
  return log.group(title, () =>
    runBash(command, {
      env,
      output: (chunk) => process.stdout.write(chunk),
      onStartError: (message) => log.warning(`${what} could not be started: ${message}`),
    }),
  );
}

/** Runs the user's smoke command with bash, one log group per run. */
export function shellSmokeRunner(command: string): SmokeRunner {
  let runs = 0;
  return async () => ({
    'exit-code': await groupedBash(`smoke command, run ${++runs}`, 'smoke command', command),
  });
}

/** Runs plan hook commands (feature flags, saga steps) with bash and the hook's variables. */
export const shellCommandRunner: CommandRunner = async (hook) => ({
  'exit-code': await groupedBash(
    `${hook.step.name} command, exposure ${hook.env.SHIFTGATE_EXPOSURE}%`,
    `${hook.step.name} command`,
    hook.command,
    hook.env,
  ),
});

/** Runs saga service commands (deploy, smoke, compensate) with bash, one log group per command. */
export const shellServiceRunner: ServiceCommandRunner = async (run) => ({
  'exit-code': await groupedBash(
    `service ${run.service.name}: ${run.phase}${run.attempt > 1 ? ` (attempt ${run.attempt})` : ''}`,
    `service ${run.service.name} ${run.phase} command`,
    run.command,
    run.env,
  ),
});
