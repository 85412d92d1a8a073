// Runs record-deployment's main and post steps in-process, as the runner would: inputs faked by name
// as INPUT_* variables, GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files, STATE_* for the post
// step, and GitHub REST served by the loopback fake so Octokit's real stack runs.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createGitHubClient } from '@shiftgate/github';
import { run } from '../../../actions/record-deployment/src/main';
import { post } from '../../../actions/record-deployment/src/post-step';
import type { GitHubServer } from '../../support/github-server';
import { commandMessages, inputEnv, stepFiles } from '../../support/runner';

export const SHA = 'c0ffee0000000000000000000000000000000042';

/** The inputs as the runner passes them when the workflow sets none (defaults evaluated). */
export const DEFAULT_INPUTS: Record<string, string> = {
  mode: 'record',
  token: 'test-token',
  environment: '',
  version: '',
  strategy: '',
  state: '',
  ref: SHA,
  description: '',
  'environment-url': '',
  'production-environment': '',
  'transient-environment': 'false',
  'deployment-id': '',
  status: '',
  trace: '',
  artifacts: '',
  'verify-artifacts': '',
  'slack-webhook-url': '',
  'publish-metrics': 'false',
  service: '',
  'aws-region': '',
  'history-limit': '',
  'dora-window': '720h',
  'strategy-source': '',
  'chosen-by': '',
  'trace-dir': '',
  'dashboard-dir': 'dashboard',
  'dashboard-since': '90d',
  'dashboard-traces': '',
  'dashboard-url': '',
  'job-status': 'success',
};

/** What a step left behind. */
export interface StepResult {
  failed: boolean;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  errors: string[];
  warnings: string[];
  notices: string[];
  stdout: string;
}

let uuidCounter = 0;

// @actions/core's summary remembers the first GITHUB_STEP_SUMMARY path it sees for the whole process,
// so every in-process step shares one file, emptied before each step.
const SUMMARY = join(mkdtempSync(join(tmpdir(), 'shiftgate-summary-')), 'summary.md');

/** Runs the main (`index`) or `post` step against `server`. */
export async function runStep(
  server: GitHubServer,
  entry: 'main' | 'post',
  inputs: Record<string, string>,
  options: { state?: Record<string, string>; workspace?: string; cloudwatch?: CloudWatchClient } = {},
): Promise<StepResult> {
  const files = stepFiles();
  writeFileSync(SUMMARY, '');
  const before = { ...process.env };
  const env: Record<string, string> = {
    ...files.env,
    GITHUB_STEP_SUMMARY: SUMMARY,
    ...(options.workspace ? { GITHUB_WORKSPACE: options.workspace } : {}),
    ...inputEnv({ ...DEFAULT_INPUTS, ...inputs }),
    GITHUB_API_URL: server.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '777',
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
    ...Object.fromEntries(Object.entries(options.state ?? {}).map(([k, v]) => [`STATE_${k}`, v])),
  };
  Object.assign(process.env, env);
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const client = createGitHubClient({
    token: 'test-token',
    caller: 'record-deployment',
    baseUrl: server.url,
    retryAfterMs: 1,
    writeSpacing: 'none',
  });
  const deps = {
    client,
    sleep: async () => {},
    uuid: () => `00000000-0000-4000-8000-${String(++uuidCounter).padStart(12, '0')}`,
    ...(options.cloudwatch ? { cloudwatch: options.cloudwatch } : {}),
  };
  try {
    if (entry === 'main') await run(deps);
    else await post(deps);
  } finally {
    spy.mockRestore();
    for (const key of Object.keys(process.env)) if (!(key in before)) delete process.env[key];
    Object.assign(process.env, before);
  }
  const failed = process.exitCode === 1;
  process.exitCode = undefined;
  const stdout = chunks.join('');
  const result = {
    failed,
    outputs: files.outputs(),
    state: files.savedState(),
    summary: readFileSync(SUMMARY, 'utf8'),
    errors: commandMessages(stdout, 'error'),
    warnings: commandMessages(stdout, 'warning'),
    notices: commandMessages(stdout, 'notice'),
    stdout,
  };
  files.cleanup();
  return result;
}

/** The statuses of a deployment that end it (GitHub's auto_inactive after a success is not one). */
export function terminalStatuses(server: GitHubServer, deploymentId: number): string[] {
  const out: string[] = [];
  let succeeded = false;
  for (const s of server.statuses(deploymentId)) {
    if (s.state === 'success' || s.state === 'failure' || s.state === 'error') out.push(s.state);
    if (s.state === 'inactive' && !succeeded) out.push('inactive');
    if (s.state === 'success') succeeded = true;
  }
  return out;
}
