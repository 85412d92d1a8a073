// Shared set-up for tests that run Octokit against the loopback GitHub fake.
import { createGitHubClient, GitHubDeploymentStore } from '@shiftgate/github';
import type { Logger } from '@shiftgate/core';
import type { GitHubServer } from '../support/github-server';

/** A logger that keeps what it was told. */
export function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: () => {},
  };
}

/** A client and store against `server`, with retries that do not really wait. */
export function storeFor(server: GitHubServer, options: { logger?: Logger; repository?: string } = {}) {
  const client = createGitHubClient({
    token: 'test-token',
    caller: 'test',
    baseUrl: server.url,
    retryAfterMs: 1,
    writeSpacing: 'none',
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const store = new GitHubDeploymentStore({
    client,
    repository: options.repository ?? 'acme/shop',
    sleep: async () => {},
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return { client, store };
}
