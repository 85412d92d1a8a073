import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { displayUntrusted, InputError } from '@shiftgate/core';

/**
 * Resolves `path` (relative to `workspace`, or absolute) to its real location, symlinks included, and
 * refuses it, naming the input and the workspace, unless it lies inside the workspace. Call it before a
 * file is opened: a config path, an artifact path from an input or a recorded payload. A path that does
 * not exist yet is judged by its nearest existing parent, so a missing file is not refused for that alone.
 * `temp` (the runner's RUNNER_TEMP) is allowed as well where given: files shiftgate writes for a later
 * step of the job (a trace to upload) go there, where they never meet the user's files.
 */
export async function confineToWorkspace(
  input: string,
  path: string,
  workspace: string,
  options: { temp?: string } = {},
): Promise<string> {
  const root = await realpath(workspace).catch(() => resolve(workspace));
  const target = await realpathOfNearest(isAbsolute(path) ? path : resolve(workspace, path));
  if (inside(root, target)) return target;
  const temp = options.temp ? await realpath(options.temp).catch(() => resolve(options.temp!)) : null;
  if (temp !== null && inside(temp, target)) return target;
  const where =
    temp === null ? `the workspace ${root}` : `the workspace ${root} and the runner's temp ${temp}`;
  throw new InputError(input, path, '', {
    message: `Input '${input}' names '${displayUntrusted(path)}', which is outside ${where}; shiftgate reads files only inside ${temp === null ? 'the workspace' : 'them'} (symlinks are followed before the check)`,
  });
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
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
