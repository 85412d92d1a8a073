// What every command that reads GitHub Deployments shares: the `--repo` check, the token from the
// environment, warnings on stderr through the one log escaper, and the store over the one client factory.
import type { Logger } from '@shiftgate/core';
import { createGitHubClient, GitHubDeploymentStore, safeLogText } from '@shiftgate/github';
import { UsageError, type Io } from './command';

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** `--repo owner/name`, refused before any request when it is not one. */
export function parseRepo(value: string): string {
  if (!REPO.test(value)) throw new UsageError(`--repo must be owner/name, got '${safeLogText(value)}'`);
  return value;
}

/**
 * The Deployments store of `repository` for a CLI command (`caller` names it in the user agent), with the
 * token from GITHUB_TOKEN or GH_TOKEN (refused when neither is set) and warnings written to stderr.
 */
export function deploymentStore(
  io: Io,
  repository: string,
  caller: string,
): { store: GitHubDeploymentStore; logger: Logger } {
  const token = io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
  if (!token) {
    throw new UsageError(
      'set GITHUB_TOKEN (or GH_TOKEN) to a token that can read deployments of the repository',
    );
  }
  const logger: Logger = {
    info: () => {},
    warning: (m) => io.stderr(`warning: ${safeLogText(m)}\n`),
    debug: () => {},
  };
  const client = createGitHubClient({ token, caller, env: io.env, logger });
  return { store: new GitHubDeploymentStore({ client, repository, logger }), logger };
}
