import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { confineToWorkspace } from './workspace';
import { displayUntrusted, InputError, type ArtifactRecord, type ArtifactSpec } from '@shiftgate/core';

/** A file found for an artifact type, hashed. */
export interface HashedFile {
  type: string;
  /** Relative to the workspace, forward slashes. */
  path: string;
  sha256: string;
  size: number;
}

/** sha256 (hex) and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on('data', (chunk) => {
        size += chunk.length;
        hash.update(chunk);
      })
      .on('error', reject)
      .on('end', () => resolve());
  });
  return { sha256: hash.digest('hex'), size };
}

/** A glob as a regular expression over workspace-relative paths: `*` and `?` stay within a folder, `**` crosses them. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` matches anything below.
        if (pattern[i + 2] === '/') {
          source += '(?:[^/]+/)*';
          i += 2;
        } else {
          source += '.*';
          i += 1;
        }
      } else {
        source += '[^/]*';
      }
    } else if (c === '?') {
      source += '[^/]';
    } else {
      source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

const GLOB_CHARS = /[*?]/;

/** Files under `workspace` whose relative path matches `pattern` (sorted). `.git` is never searched. */
export async function expandGlob(workspace: string, pattern: string): Promise<string[]> {
  const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
  const fixed: string[] = [];
  for (const segment of segments) {
    if (GLOB_CHARS.test(segment)) break;
    fixed.push(segment);
  }
  const normalized = segments.join('/');
  if (fixed.length === segments.length) {
    const full = join(workspace, ...segments);
    const info = await stat(full).catch(() => null);
    return info?.isFile() ? [normalized] : [];
  }
  const regex = globToRegExp(normalized);
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const items = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const item of items) {
      if (item.name === '.git') continue;
      const full = join(dir, item.name);
      const rel = relative(workspace, full).split(sep).join('/');
      if (item.isDirectory()) await walk(full);
      else if (item.isFile() && regex.test(rel)) found.push(rel);
    }
  };
  await walk(join(workspace, ...fixed));
  return found.sort();
}

/**
 * Finds and hashes the one file of each artifact type. A type whose path or glob matches no file, or
 * more than one, is an {@link InputError} naming the input: nothing is recorded from a guess.
 */
export async function hashArtifacts(
  input: string,
  workspace: string,
  specs: readonly ArtifactSpec[],
): Promise<HashedFile[]> {
  const files: HashedFile[] = [];
  for (const spec of specs) {
    const matches = await expandGlob(workspace, spec.pattern);
    if (matches.length === 0) {
      throw new InputError(
        input,
        `${spec.type}=${spec.pattern}`,
        'a path or glob that matches one file in the workspace',
        {
          message: `Input '${input}': '${spec.type}=${spec.pattern}' matches no file in the workspace`,
        },
      );
    }
    if (matches.length > 1) {
      const shown =
        matches.slice(0, 5).join(', ') + (matches.length > 5 ? `, … (${matches.length} in all)` : '');
      throw new InputError(input, `${spec.type}=${spec.pattern}`, 'a path or glob that matches one file', {
        message: `Input '${input}': '${spec.type}=${spec.pattern}' matches ${matches.length} files (${shown}); each artifact type is one file, so name it exactly or give each its own type`,
      });
    }
    const path = matches[0]!;
    // A pattern with `..` or a symlink must not reach outside the workspace: refused before it is opened.
    const hashed = await hashFile(await confineToWorkspace(input, path, workspace));
    files.push({ type: spec.type, path, sha256: hashed.sha256, size: hashed.size });
  }
  return files;
}

/** Artifact records (seed table `deployment_artifacts`) for hashed files. */
export function artifactRecords(version: string, files: readonly HashedFile[], at: number): ArtifactRecord[] {
  return files.map((f) => ({
    id: createHash('sha256').update(`${version}\0${f.type}`).digest('hex'),
    version,
    'artifact-type': f.type,
    path: f.path,
    'file-hash': f.sha256,
    'file-size': f.size,
    'created-at': at,
  }));
}

/** Raised when files differ from what a deployment recorded. */
export class ArtifactMismatchError extends Error {
  override readonly name = 'ArtifactMismatchError';
}

/**
 * Recomputes the hashes of a deployment's recorded artifacts and compares. `files` are the files to
 * check by type (from the `artifacts` input); without them, the recorded paths are re-read. Any
 * difference — a changed, missing or unrecorded file — fails, naming the file and both hashes.
 */
export async function verifyArtifacts(options: {
  deploymentId: number;
  recorded: readonly ArtifactRecord[];
  workspace: string;
  files?: readonly HashedFile[];
}): Promise<{ verified: number }> {
  const { deploymentId, recorded } = options;
  if (recorded.length === 0) {
    throw new ArtifactMismatchError(
      `Deployment ${deploymentId} recorded no artifacts, so there is nothing to verify against`,
    );
  }
  const problems: string[] = [];
  const byType = new Map((options.files ?? []).map((f) => [f.type, f]));
  for (const artifact of recorded) {
    const type = artifact['artifact-type'];
    // Recorded text is untrusted: shown only neutralised.
    const shownType = displayUntrusted(type);
    const shownPath = displayUntrusted(artifact.path);
    let file = byType.get(type);
    byType.delete(type);
    if (!file && options.files === undefined) {
      // The recorded path comes from a deployment payload, which anyone with `deployments: write` can
      // write: it is confined to the workspace before the file is opened, and nothing of an outside file
      // (hash, size) is ever shown.
      const full = await confineToWorkspace('verify-artifacts', artifact.path, options.workspace).catch(
        () => null,
      );
      if (full === null) {
        problems.push(
          `'${shownType}' was recorded at a path outside the workspace (${shownPath}); it was not read`,
        );
        continue;
      }
      const hashed = await hashFile(full).catch(() => null);
      if (hashed) file = { type, path: artifact.path, sha256: hashed.sha256, size: hashed.size };
    }
    if (!file) {
      problems.push(
        `'${shownType}' (${shownPath}) is missing; deployment ${deploymentId} recorded sha256 ${displayUntrusted(artifact['file-hash'])}`,
      );
    } else if (file.sha256 !== artifact['file-hash']) {
      problems.push(
        `'${shownType}' ${displayUntrusted(file.path)} has sha256 ${file.sha256} (${file.size} bytes), but deployment ${deploymentId} recorded ${displayUntrusted(artifact['file-hash'])} (${artifact['file-size']} bytes) for ${shownPath}`,
      );
    }
  }
  for (const file of byType.values()) {
    problems.push(
      `'${file.type}' ${file.path} (sha256 ${file.sha256}) was not recorded by deployment ${deploymentId}`,
    );
  }
  if (problems.length > 0) {
    throw new ArtifactMismatchError(
      `Artifacts do not match deployment ${deploymentId}'s record: ${problems.join('; ')}`,
    );
  }
  return { verified: recorded.length };
}
