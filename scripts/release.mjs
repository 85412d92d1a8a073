// `npm run release -- vX.Y.Z [--out <dir>]`: writes the GitHub Enterprise Server variant of the
// composite action and the reusable workflow. On github.com they reach their sibling actions as
// `$/actions/<name>` (the running commit); GHES has no `$/`, so the variant pins each sibling to the
// commit being released: `shiftgate/shiftgate/actions/<name>@<sha of HEAD> # vX.Y.Z`.
// The files are read from HEAD (not the working tree), so the variant is exactly that commit's.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The repository users reference shiftgate by. */
export const REPOSITORY = 'shiftgate/shiftgate';

/** What is released, and where each variant is written (relative to the output folder). */
export const VARIANTS = [
  {
    source: 'actions/progressive-deploy/action.yml',
    target: 'actions/progressive-deploy/action.yml',
    usage:
      'Vendor it into your repository (for example .github/actions/shiftgate-deploy/action.yml) and use it as ./.github/actions/shiftgate-deploy after actions/checkout.',
  },
  {
    source: '.github/workflows/progressive-deploy.yml',
    target: 'workflows/progressive-deploy.yml',
    usage:
      'Copy it into .github/workflows/ of your repository and call it as ./.github/workflows/progressive-deploy.yml.',
  },
];

export const DEFAULT_OUT = 'release/ghes';

const VERSION = /^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const SHA = /^[0-9a-f]{40}$/;
const SELF = /^(\s*(?:-\s+)?uses:\s*)(['"]?)\$\/actions\/([a-z0-9-]+)\2(\s*)$/;

/**
 * The GHES variant of one file: every `uses: $/actions/<name>` pinned to `sha`, with a header saying
 * what it is. Throws when a `$/` reference has another form or names no action, or when none is found.
 */
export function ghesVariant(text, { file, sha, version, actions, usage = '' }) {
  if (!SHA.test(sha)) throw new Error(`the commit must be 40 lowercase hex digits, got '${sha}'`);
  let pinned = 0;
  const lines = text.split('\n').map((line, index) => {
    const match = SELF.exec(line);
    if (!match) {
      if (/^\s*(?:-\s+)?uses:\s*['"]?\$\//.test(line))
        throw new Error(`${file}:${index + 1}: '${line.trim()}' is not 'uses: $/actions/<name>'`);
      return line;
    }
    const [, lead, , name, tail] = match;
    if (!actions.includes(name)) throw new Error(`${file}:${index + 1}: there is no action '${name}'`);
    pinned++;
    return `${lead}${REPOSITORY}/actions/${name}@${sha} # ${version}${tail}`;
  });
  if (pinned === 0) throw new Error(`${file} has no 'uses: $/actions/<name>' to pin`);
  const header = [
    `# GitHub Enterprise Server variant of ${file} from shiftgate ${version}, written by`,
    `# \`npm run release\`: its sibling actions are pinned to the release commit ${sha}.`,
    ...(usage ? [`# ${usage}`] : []),
    '# Generated: do not edit; regenerate from the release commit.',
  ];
  return { text: [...header, ...lines].join('\n'), pinned };
}

/** Checks a written variant: it parses, and every sibling is pinned to `sha`; returns the problems. */
export function checkVariant(text, { file, sha }) {
  const problems = [];
  let doc;
  try {
    doc = parseYaml(text);
  } catch (error) {
    return [`${file} is not YAML: ${error.message}`];
  }
  const steps = [
    ...(doc?.runs?.steps ?? []),
    ...Object.values(doc?.jobs ?? {}).flatMap((job) => [{ uses: job.uses }, ...(job.steps ?? [])]),
  ];
  for (const { uses } of steps) {
    if (typeof uses !== 'string') continue;
    if (uses.startsWith('$/')) problems.push(`${file} still uses '${uses}'`);
    else if (uses.startsWith(`${REPOSITORY}/`) && !uses.endsWith(`@${sha}`))
      problems.push(`${file} uses '${uses}', not pinned to ${sha}`);
  }
  return problems;
}

function git(root, args) {
  return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
}

/** Writes the variants of the commit at HEAD of `root` into `out`; returns what was written. */
export function release({ root, version, out }) {
  if (!VERSION.test(version ?? ''))
    throw new Error(`the version must be vX.Y.Z (for example v1.2.3), got '${version ?? ''}'`);
  const sha = git(root, ['rev-parse', 'HEAD']).trim();
  const actions = git(root, ['ls-tree', '--name-only', 'HEAD', 'actions/'])
    .split('\n')
    .map((path) => path.replace(/^actions\//, ''))
    .filter((name) => name !== '');
  // Every variant is built and checked before any is written: a failed release writes nothing.
  const variants = VARIANTS.map(({ source, target, usage }) => {
    const { text, pinned } = ghesVariant(git(root, ['show', `HEAD:${source}`]), {
      file: source,
      sha,
      version,
      actions,
      usage,
    });
    const problems = checkVariant(text, { file: source, sha });
    if (problems.length > 0) throw new Error(problems.join('\n'));
    return { source, path: join(out, target), text, pinned };
  });
  for (const { path, text } of variants) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { sha, written: variants.map(({ source, path, pinned }) => ({ source, path, pinned })) };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : DEFAULT_OUT;
  const rest = args.filter((_, index) => outAt < 0 || (index !== outAt && index !== outAt + 1));
  try {
    if (rest.length !== 1 || !out) throw new Error('usage: npm run release -- vX.Y.Z [--out <dir>]');
    const root = process.cwd();
    const { sha, written } = release({ root, version: rest[0], out: resolve(root, out) });
    for (const file of written)
      console.log(`${file.path}: ${file.pinned} sibling actions of ${file.source} pinned to ${sha}`);
  } catch (error) {
    console.error(`release failed: ${error.message}`);
    process.exit(1);
  }
}
