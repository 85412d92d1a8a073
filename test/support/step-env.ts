// One step's runner environment for in-process action tests: fresh step files before each test, their
// variables (and the test's endpoints and credentials) stubbed into process.env, all undone after it.
import { afterEach, beforeEach, vi } from 'vitest';
import { stepFiles, type StepFiles } from './runner';

/** Credentials the SDK signs with against the loopback fakes; the instance metadata lookup is off. */
export const LOOPBACK_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
  AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/**
 * Registers the before/after hooks of a step per test and returns the current step. `variables` is read
 * before each test (fakes are started by then); `setup` runs first (resetting fakes, say).
 */
export function useStepEnv(variables: () => Record<string, string>, setup?: () => void): () => StepFiles {
  let step: StepFiles;
  beforeEach(() => {
    setup?.();
    step = stepFiles();
    for (const [k, v] of Object.entries({ ...step.env, ...variables() })) vi.stubEnv(k, v);
    process.exitCode = undefined;
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    step.cleanup();
    process.exitCode = undefined;
  });
  return () => step;
}
