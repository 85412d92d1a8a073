import type { Clock, Sleeper } from '@shiftgate/core';

/** Where a command writes, injectable so tests can read what a person would see. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal (progress bars); false in CI and pipes (plain lines). */
  isTty: boolean;
  /** Environment variables (GITHUB_TOKEN, AWS_REGION, …). */
  env: Record<string, string | undefined>;
  cwd: string;
  /**
   * A seam for tests: the clock and sleep of runs against AWS (the suite's loopback fakes run a 30-minute
   * plan in virtual time). Real time when absent, as in the `shiftgate` binary.
   */
  time?: { clock: Clock; sleep: Sleeper };
}

/** One `shiftgate <name>` command. */
export interface Command {
  name: string;
  /** One line for `shiftgate --help`. */
  summary: string;
  /** Full help text for `shiftgate <name> --help`, ending with the exit codes. */
  help: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[], io: Io): Promise<number>;
}

/** Exit codes every command shares. */
export const EXIT = {
  ok: 0,
  /** The command ran and its verdict was negative (a rollback, a failed check). */
  failed: 1,
  /** The user's input (flags, files) was invalid. */
  usage: 2,
} as const;

/** A usage problem: printed with the command's name and exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
