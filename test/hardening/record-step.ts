// record-deployment's main or post step in this process, with Octokit's real stack against the loopback
// GitHub fake, through the same in-process harness as the other actions (so every step of a test file
// shares one job summary file, as @actions/core requires).
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createGitHubClient } from '@shiftgate/github';
import { run } from '../../actions/record-deployment/src/main';
import { post } from '../../actions/record-deployment/src/post-step';
import { inProcess, type InProcessRun } from '../actions/shift-traffic/harness';
import type { GitHubServer } from '../support/github-server';

let uuid = 0;

/**
 * Runs one step; `saved` is what the main step saved (STATE_*), `extra` more environment variables,
 * `cloudwatch` makes the client of `publish-metrics` (inside the step, so it sees `extra`).
 */
export async function recordStep(
  github: GitHubServer,
  entry: 'main' | 'post',
  inputs: Record<string, string>,
  options: {
    saved?: Record<string, string>;
    extra?: Record<string, string>;
    requestTimeoutMs?: number;
    cloudwatch?: () => CloudWatchClient;
  } = {},
): Promise<InProcessRun & { failed: boolean }> {
  const deps = {
    client: createGitHubClient({
      token: 'test-token',
      caller: 'record-deployment',
      baseUrl: github.url,
      retryAfterMs: 1,
      writeSpacing: 'none',
      ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    }),
    sleep: async () => undefined,
    uuid: () => `00000000-0000-4000-8000-${String(++uuid).padStart(12, '0')}`,
  };
  let failed = false;
  const result = await inProcess(
    {
      token: 'test-token',
      'transient-environment': 'false',
      'publish-metrics': 'false',
      'dora-window': '720h',
      ...inputs,
    },
    async () => {
      const all = options.cloudwatch ? { ...deps, cloudwatch: options.cloudwatch() } : deps;
      await (entry === 'main' ? run(all) : post(all));
      failed = process.exitCode === 1;
    },
    {
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '777',
      ...Object.fromEntries(Object.entries(options.saved ?? {}).map(([k, v]) => [`STATE_${k}`, v])),
      ...options.extra,
    },
  );
  return { ...result, failed };
}
