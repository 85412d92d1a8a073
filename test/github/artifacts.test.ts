import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArtifactList } from '@shiftgate/core';
import { artifactRecords, expandGlob, globToRegExp, hashArtifacts, verifyArtifacts } from '@shiftgate/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shiftgate-artifacts-'));
  mkdirSync(join(dir, 'build', 'nested'), { recursive: true });
  writeFileSync(join(dir, 'build', 'app-1.2.3.zip'), 'app');
  writeFileSync(join(dir, 'build', 'nested', 'image.tar'), 'image');
  writeFileSync(join(dir, 'build', 'a.txt'), 'a');
  writeFileSync(join(dir, 'build', 'b.txt'), 'b');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('parseArtifactList', () => {
  it('reads type=path lines', () => {
    expect(
      parseArtifactList('artifacts', 'bundle = build/app-*.zip\n\nimage=build\\nested\\image.tar\n'),
    ).toEqual([
      { type: 'bundle', pattern: 'build/app-*.zip' },
      { type: 'image', pattern: 'build/nested/image.tar' },
    ]);
  });

  it.each([
    ['build/app.zip', "each line needs 'type=path'"],
    ['bad type=x', 'the type must be 1 to 32 letters'],
    [`${'t'.repeat(33)}=x`, 'the type must be 1 to 32 letters'],
    ['a=/etc/passwd', 'the path must be relative to the workspace'],
    ['a=../secrets', "the path must stay inside the workspace (no '..')"],
    ['a=x\na=y', "the type 'a' appears twice"],
  ])('refuses %j', (value, problem) => {
    expect(() => parseArtifactList('artifacts', value)).toThrow(
      new RegExp(
        `^Input 'artifacts' must be lines of 'type=path-or-glob' such as 'image=dist/image.tar', relative to the workspace; ${problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
      ),
    );
  });
});

describe('globs', () => {
  it.each([
    ['build/*.zip', 'build/app.zip', true],
    ['build/*.zip', 'build/x/app.zip', false],
    ['build/**/*.tar', 'build/image.tar', true],
    ['build/**/*.tar', 'build/a/b/image.tar', true],
    ['build/?.txt', 'build/a.txt', true],
    ['build/?.txt', 'build/ab.txt', false],
    ['a.b', 'axb', false],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });

  it('expands against the workspace', async () => {
    expect(await expandGlob(dir, 'build/*.txt')).toEqual(['build/a.txt', 'build/b.txt']);
    expect(await expandGlob(dir, 'build/**/*.tar')).toEqual(['build/nested/image.tar']);
    expect(await expandGlob(dir, 'build/app-1.2.3.zip')).toEqual(['build/app-1.2.3.zip']);
    expect(await expandGlob(dir, 'missing/*.zip')).toEqual([]);
  });
});

describe('hashArtifacts and verifyArtifacts', () => {
  it('hashes one file per type', async () => {
    const files = await hashArtifacts(
      'artifacts',
      dir,
      parseArtifactList('artifacts', 'bundle=build/app-*.zip\nimage=build/**/*.tar'),
    );
    expect(files).toEqual([
      { type: 'bundle', path: 'build/app-1.2.3.zip', sha256: sha('app'), size: 3 },
      { type: 'image', path: 'build/nested/image.tar', sha256: sha('image'), size: 5 },
    ]);
    const [record] = artifactRecords('v1', files, 1000);
    expect(record).toEqual({
      id: sha('v1\0bundle'),
      version: 'v1',
      'artifact-type': 'bundle',
      path: 'build/app-1.2.3.zip',
      'file-hash': sha('app'),
      'file-size': 3,
      'created-at': 1000,
    });
  });

  it('refuses a glob that matches nothing or several files', async () => {
    await expect(hashArtifacts('artifacts', dir, [{ type: 'x', pattern: 'build/*.jar' }])).rejects.toThrow(
      "Input 'artifacts': 'x=build/*.jar' matches no file in the workspace",
    );
    await expect(hashArtifacts('artifacts', dir, [{ type: 'docs', pattern: 'build/*.txt' }])).rejects.toThrow(
      "Input 'artifacts': 'docs=build/*.txt' matches 2 files (build/a.txt, build/b.txt); each artifact type is one file, so name it exactly or give each its own type",
    );
  });

  it('passes when the files are unchanged and names the file and both hashes when one changed', async () => {
    const files = await hashArtifacts('artifacts', dir, [{ type: 'bundle', pattern: 'build/app-1.2.3.zip' }]);
    const recorded = artifactRecords('v1', files, 1000);
    await expect(verifyArtifacts({ deploymentId: 42, recorded, workspace: dir })).resolves.toEqual({
      verified: 1,
    });
    writeFileSync(join(dir, 'build', 'app-1.2.3.zip'), 'tampered');
    await expect(verifyArtifacts({ deploymentId: 42, recorded, workspace: dir })).rejects.toThrow(
      `Artifacts do not match deployment 42's record: 'bundle' build/app-1.2.3.zip has sha256 ${sha('tampered')} (8 bytes), but deployment 42 recorded ${sha('app')} (3 bytes) for build/app-1.2.3.zip`,
    );
  });

  it('reports missing and unrecorded files', async () => {
    const recorded = artifactRecords(
      'v1',
      [{ type: 'gone', path: 'build/gone.bin', sha256: sha('x'), size: 1 }],
      1000,
    );
    await expect(verifyArtifacts({ deploymentId: 7, recorded, workspace: dir })).rejects.toThrow(
      `'gone' (build/gone.bin) is missing; deployment 7 recorded sha256 ${sha('x')}`,
    );
    const extra = { type: 'extra', path: 'build/a.txt', sha256: sha('a'), size: 1 };
    await expect(
      verifyArtifacts({ deploymentId: 7, recorded, workspace: dir, files: [extra] }),
    ).rejects.toThrow(`'extra' build/a.txt (sha256 ${sha('a')}) was not recorded by deployment 7`);
  });
});
