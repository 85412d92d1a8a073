// `npm run release -- vX.Y.Z` writes the GitHub Enterprise Server variant: the composite and the
// reusable workflow with every `$/actions/<name>` pinned to the release commit. Run against a throwaway
// git repository holding this checkout's files, as a release would run.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/runner';
import { localActions, validateActionFile, validateWorkflowFile } from '../support/workflow-validators';

const COMPOSITE = 'actions/progressive-deploy/action.yml';
const WORKFLOW = '.github/workflows/progressive-deploy.yml';

let repo: string;
const git = (...args: string[]) =>
  execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    encoding: 'utf8',
  }).trim();
const release = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'release.mjs'), ...args], {
    cwd: repo,
    encoding: 'utf8',
  });
const put = (file: string, text: string) => {
  mkdirSync(dirname(join(repo, file)), { recursive: true });
  writeFileSync(join(repo, file), text);
};

// One repository for the file (git and node start slowly); a test that changes it puts it back.
beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'shiftgate-release-'));
  for (const name of Object.keys(localActions()))
    cpSync(join(ROOT, 'actions', name, 'action.yml'), join(repo, 'actions', name, 'action.yml'));
  put(WORKFLOW, readFileSync(join(ROOT, WORKFLOW), 'utf8'));
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'release');
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));
let outs = 0;
/** A fresh output folder, relative to the repository. */
const freshOut = () => `out-${++outs}`;

describe('npm run release', () => {
  it('pins every sibling of the composite and the reusable workflow to the commit at HEAD', async () => {
    const sha = git('rev-parse', 'HEAD');
    const result = release('v1.2.3');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const [source, target] of [
      [COMPOSITE, 'release/ghes/actions/progressive-deploy/action.yml'],
      [WORKFLOW, 'release/ghes/workflows/progressive-deploy.yml'],
    ] as const) {
      const original = readFileSync(join(ROOT, source), 'utf8');
      const variant = readFileSync(join(repo, target), 'utf8');
      const siblings = original.match(/uses: \$\/actions\/[a-z0-9-]+$/gm)!;
      expect(result.stdout).toContain(
        `${join(repo, target)}: ${siblings.length} sibling actions of ${source} pinned to ${sha}`,
      );
      expect(variant).not.toMatch(/^\s*(?:-\s+)?uses:\s*['"]?\$\//m);
      expect(
        variant.match(new RegExp(`uses: shiftgate/shiftgate/actions/[a-z0-9-]+@${sha} # v1\\.2\\.3$`, 'gm')),
      ).toHaveLength(siblings.length);
      // Apart from its header and the pins, the variant is the released file.
      const body = variant.split('\n').filter((line) => !line.startsWith('# ') || original.includes(line));
      expect(
        body
          .join('\n')
          .replace(new RegExp(`shiftgate/shiftgate/(actions/[a-z0-9-]+)@${sha} # v1\\.2\\.3`, 'g'), '$/$1'),
      ).toBe(original);
      expect(variant.split('\n')[0]).toContain(`variant of ${source} from shiftgate v1.2.3`);
      // GitHub's own validators accept it, with every `with:` checked against the pinned action.
      const findings =
        source === COMPOSITE
          ? await validateActionFile(target, variant)
          : await validateWorkflowFile(target, variant);
      expect(findings).toEqual([]);
    }
  });

  it('releases what is committed, not what is in the working tree', () => {
    put(
      COMPOSITE,
      readFileSync(join(repo, COMPOSITE), 'utf8').replace('$/actions/run-plan', '$/actions/run-plan@main'),
    );
    const out = freshOut();
    const result = release('v1.2.3', '--out', out);
    git('checkout', '--', COMPOSITE);
    expect(result.status).toBe(0);
    expect(readFileSync(join(repo, out, 'actions/progressive-deploy/action.yml'), 'utf8')).not.toContain(
      '@main',
    );
  });

  it.each([
    [['1.2.3'], "the version must be vX.Y.Z (for example v1.2.3), got '1.2.3'"],
    [['v1.2'], "the version must be vX.Y.Z (for example v1.2.3), got 'v1.2'"],
    [[], 'usage: npm run release -- vX.Y.Z [--out <dir>]'],
    [['v1.2.3', 'v1.2.4'], 'usage: npm run release'],
  ])('refuses %j and writes nothing', (args, message) => {
    const out = freshOut();
    const result = release(...args, '--out', out);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`release failed: ${message}`);
    expect(existsSync(join(repo, out))).toBe(false);
  });

  it.each([
    ['$/actions/run-plan@v0', `${WORKFLOW}:`, "is not 'uses: $/actions/<name>'"],
    ['$/actions/deploy-everything', `${WORKFLOW}:`, "there is no action 'deploy-everything'"],
  ])('refuses a committed %s and writes nothing', (uses, where, message) => {
    put(WORKFLOW, readFileSync(join(repo, WORKFLOW), 'utf8').replace('$/actions/rollback', uses));
    git('commit', '-qam', 'bad');
    const out = freshOut();
    const result = release('v1.2.3', '--out', out);
    git('reset', '-q', '--hard', 'HEAD~1');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(where);
    expect(result.stderr).toContain(message);
    // The composite comes first and is fine: it is not written either, as nothing is until all pass.
    expect(existsSync(join(repo, out))).toBe(false);
  });
});
