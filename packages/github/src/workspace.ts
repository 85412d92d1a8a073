import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { displayUntrusted, InputError } from '@shiftgate/core';

/**
 * Resolves `path` (relative to `workspace`, or absolute) to its real location, symlinks included, and
 * refuses it, naming the input and the workspace, unless it lies inside the workspace. Call it before a
 * file is opened: a config path, an artifact path from an input or a recorded payload. A path that does
 * not exist yet is judged by its nearest existing parent, so a missing file is not refused for that alone.
 */
export async function confineToWorkspace(input: string, path: string, workspace: string): Promise<string> {
  const root = await realpath(workspace).catch(() => resolve(workspace));
  const target = await realpathOfNearest(isAbsolute(path) ? path : resolve(workspace, path));
  const rel = relative(root, target);
  if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return target;
  throw new InputError(input, path, '', {
    message: `Input '${input}' names '${displayUntrusted(path)}', which is outside the workspace ${root}; shiftgate reads files only inside the workspace (symlinks are followed before the check)`,
  });
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
async function realpathOfNearest(path: string): Promise<string> {
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...rest.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      rest.push(basename(current));
      current = parent;
    }
  }
}
