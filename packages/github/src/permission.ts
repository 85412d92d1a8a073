import {
  errorMessage,
  hasPermission,
  SelectionError,
  displayUntrusted,
  type PermissionLevel,
} from '@shiftgate/core';

/** The slice of Octokit the permission check needs, so any configured client can be passed. */
export interface PermissionClient {
  request(
    route: 'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
    params: { owner: string; repo: string; username: string },
  ): Promise<{ data: { permission?: string; role_name?: string } }>;
}

/**
 * Checks that `username` holds at least `required` on the repository, through the REST API (labels can be
 * added by triage users, so a label alone proves nothing). Refuses with a message saying what to do.
 */
export async function requireRepositoryPermission(
  client: PermissionClient,
  options: { owner: string; repo: string; username: string; required: PermissionLevel; why: string },
): Promise<string> {
  const who = displayUntrusted(options.username);
  let role: string;
  try {
    const { data } = await client.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
      owner: options.owner,
      repo: options.repo,
      username: options.username,
    });
    // role_name tells maintain and triage apart; permission folds them into write and read.
    role = data.role_name ?? data.permission ?? 'none';
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) role = 'none';
    else {
      throw new Error(
        `Checking ${who}'s permission on ${options.owner}/${options.repo} failed: ${errorMessage(error)}` +
          (status === 403 ? ". Give the token 'metadata: read' (the default GITHUB_TOKEN has it)." : ''),
      );
    }
  }
  if (!hasPermission(role, options.required)) {
    throw new SelectionError(
      `${who} has '${role}' permission on ${options.owner}/${options.repo}, and ${options.why} needs ` +
        `'${options.required}' or more (input 'require-permission'). Ask someone with ${options.required} access to ` +
        'add the label, or run the workflow by hand.',
    );
  }
  return role;
}
