import {
  errorMessage,
  hasPermission,
  PERMISSION_LEVELS,
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
 * added by triage users, so a label alone proves nothing). Refuses with a message saying what to do;
 * returns the role as shown to people.
 */
export async function requireRepositoryPermission(
  client: PermissionClient,
  options: {
    owner: string;
    repo: string;
    username: string;
    required: PermissionLevel;
    why: string;
    /** Said after the name, e.g. ` (who added the label 'deploy:canary')`. */
    whoNote?: string;
  },
): Promise<string> {
  const who = displayUntrusted(options.username);
  let base: string;
  let roleName: string;
  try {
    const { data } = await client.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
      owner: options.owner,
      repo: options.repo,
      username: options.username,
    });
    // `permission` is the base level (admin, write, read, none): custom roles are built on one of them.
    // `role_name` tells maintain and triage apart, or names the custom role.
    // Both are shown in messages: neutralise them like any text from outside.
    base = displayUntrusted(data.permission ?? 'none');
    roleName = displayUntrusted(data.role_name ?? base);
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) base = roleName = 'none';
    else {
      throw new Error(
        `Checking ${who}'s permission on ${options.owner}/${options.repo} failed: ${errorMessage(error)}` +
          (status === 403 ? ". Give the token 'metadata: read' (the default GITHUB_TOKEN has it)." : ''),
      );
    }
  }
  // The base permission first, so a custom role built on write counts as write; then the role name,
  // which alone can show maintain (base write) or triage (base read).
  const custom = roleName !== base && !PERMISSION_LEVELS.includes(roleName as PermissionLevel);
  const role = custom ? `${roleName} (a custom role on ${base})` : roleName;
  if (!hasPermission(base, options.required) && !hasPermission(roleName, options.required)) {
    const held = custom ? `the custom role '${roleName}' (base '${base}')` : `'${role}'`;
    throw new SelectionError(
      `${who}${options.whoNote ?? ''} has ${held} permission on ${options.owner}/${options.repo}, and ${options.why} needs ` +
        `'${options.required}' or more (input 'require-permission'). Ask someone with ${options.required} access to ` +
        'add the label, or run the workflow by hand.',
    );
  }
  return role;
}
