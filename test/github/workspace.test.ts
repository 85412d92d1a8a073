// Paths from inputs and recorded payloads stay inside the workspace, symlinks included, and are refused
// before anything is opened.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactRecord } from '@shiftgate/core';
import { confineToWorkspace, hashArtifacts, verifyArtifacts } from '@shiftgate/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let root: string;
let workspace: string;
let outside: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'shiftgate-workspace-')));
  workspace = join(root, 'work');
  outside = join(root, 'outside');
  mkdirSync(join(workspace, 'build'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(workspace, 'build', 'app.zip'), 'app');
  writeFileSync(join(outside, 'secret'), 'top secret');
  symlinkSync(join(outside, 'secret'), join(workspace, 'build', 'link.zip'));
  symlinkSync(outside, join(workspace, 'elsewhere'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('confineToWorkspace', () => {
  it.each([
    ['a relative file', 'build/app.zip', 'build/app.zip'],
    ['a file that does not exist yet', 'build/new/file.txt', 'build/new/file.txt'],
    ['the workspace itself', '.', ''],
  ])('accepts %s', async (_what, path, rel) => {
    await expect(confineToWorkspace('config', path, workspace)).resolves.toBe(join(workspace, rel));
  });

  it('accepts an absolute path inside the workspace', async () => {
    await expect(confineToWorkspace('config', join(workspace, 'build/app.zip'), workspace)).resolves.toBe(
      join(workspace, 'build/app.zip'),
    );
  });

  it.each([
    ['a parent path', '../outside/secret'],
    ['a deep parent path', '../../../../../../etc/passwd'],
    ['an absolute path', '/etc/shadow'],
    ['a symlink to a file outside', 'build/link.zip'],
    ['a path through a symlinked folder', 'elsewhere/secret'],
    ['a missing file under a symlinked folder', 'elsewhere/new.txt'],
  ])('refuses %s, naming the input and the workspace', async (_what, path) => {
    await expect(confineToWorkspace('config', path, workspace)).rejects.toThrow(
      `Input 'config' names '${path}', which is outside the workspace ${workspace}`,
    );
  });

  it('neutralises control characters of the path it shows', async () => {
    await expect(confineToWorkspace('config', '/etc/\u001b[31mx\n::warning::y', workspace)).rejects.toThrow(
      "names '/etc/?[31mx?: :warning: :y'",
    );
  });
});

describe('artifacts and the workspace', () => {
  const record = (path: string, content: string): ArtifactRecord => ({
    id: 'a'.repeat(64),
    version: 'v1',
    'created-at': 0,
    'artifact-type': 'bundle',
    path,
    'file-hash': createHash('sha256').update(content).digest('hex'),
    'file-size': content.length,
  });

  it('refuses an artifact input that reaches outside through a symlink, before hashing it', async () => {
    await expect(
      hashArtifacts('artifacts', workspace, [{ type: 'bundle', pattern: 'build/link.zip' }]),
    ).rejects.toThrow("Input 'artifacts' names 'build/link.zip', which is outside the workspace");
  });

  it.each(['../../../../etc/passwd', '../outside/secret', 'build/link.zip', '/etc/passwd'])(
    'never reads or shows a recorded path outside the workspace (%s)',
    async (path) => {
      const error = await verifyArtifacts({
        deploymentId: 42,
        recorded: [record(path, 'top secret')],
        workspace,
      }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain(
        `'bundle' was recorded at a path outside the workspace (${path}); it was not read`,
      );
      // Nothing of the outside file leaks: not its hash as we computed it, not its size.
      expect(message).not.toMatch(/has sha256/);
    },
  );

  it('still verifies a recorded path inside the workspace', async () => {
    await expect(
      verifyArtifacts({ deploymentId: 42, recorded: [record('build/app.zip', 'app')], workspace }),
    ).resolves.toEqual({ verified: 1 });
  });
});
