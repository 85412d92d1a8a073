// Runs an action's run()/post() in this process the way the runner would call it: inputs as INPUT_*
// variables, GITHUB_OUTPUT/GITHUB_STATE/GITHUB_STEP_SUMMARY files, STATE_* for post steps, and the
// workflow commands it prints captured from stdout.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { commandMessages, inputEnv, stepFiles } from '../../support/runner';

export interface InProcessRun {
  outputs: Record<string, string>;
  saved: Record<string, string>;
  summary: string;
  stdout: string;
  errors: string[];
  warnings: string[];
  notices: string[];
}

const AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
  AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
  AWS_CONFIG_FILE: '/nonexistent/shiftgate/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/shiftgate/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

// @actions/core's summary remembers the first GITHUB_STEP_SUMMARY path it sees, so in one process every
// run shares one summary file, emptied before each run.
const SUMMARY = join(mkdtempSync(join(tmpdir(), 'shiftgate-summary-')), 'summary.md');

/** Runs `fn` with the inputs (and extra variables such as STATE_restore) set, then restores everything. */
export async function inProcess(
  inputs: Record<string, string>,
  fn: () => Promise<void>,
  extra: Record<string, string> = {},
): Promise<InProcessRun> {
  const step = stepFiles();
  const env = { ...AWS_ENV, ...step.env, GITHUB_STEP_SUMMARY: SUMMARY, ...inputEnv(inputs), ...extra };
  writeFileSync(SUMMARY, '');
  const saved = Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => k.startsWith('INPUT_') || k.startsWith('STATE_'))
      .map((k) => [k, process.env[k]]),
  );
  for (const key of Object.keys(saved)) delete process.env[key];
  const previous = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    Object.assign(process.env, saved);
    process.exitCode = undefined;
  }
  const result: InProcessRun = {
    outputs: step.outputs(),
    saved: step.savedState(),
    summary: readFileSync(SUMMARY, 'utf8'),
    stdout,
    errors: commandMessages(stdout, 'error'),
    warnings: commandMessages(stdout, 'warning'),
    notices: commandMessages(stdout, 'notice'),
  };
  step.cleanup();
  return result;
}
