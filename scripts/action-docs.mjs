// Writes the inputs and outputs tables of every actions/<name>/README.md from its action.yml, between
// the markers <!-- inputs --> <!-- /inputs --> and <!-- outputs --> <!-- /outputs -->.
// Usage: node scripts/action-docs.mjs [--check]   (--check: change nothing, exit 1 if a README is stale)
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '..');
const check = process.argv.includes('--check');

const cell = (text) =>
  String(text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();

export function inputsTable(action) {
  const rows = Object.entries(action.inputs ?? {}).map(
    ([name, spec]) =>
      `| \`${name}\` | ${cell(spec.description)} | ${spec.default === undefined || spec.default === '' ? '' : `\`${cell(spec.default)}\``} | ${spec.required ? 'yes' : 'no'} |`,
  );
  return ['| input | description | default | required |', '|---|---|---|---|', ...rows].join('\n');
}

export function outputsTable(action) {
  const rows = Object.entries(action.outputs ?? {}).map(
    ([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`,
  );
  return ['| output | description |', '|---|---|', ...rows].join('\n');
}

function replaceBetween(text, marker, body, file) {
  const open = `<!-- ${marker} -->`;
  const close = `<!-- /${marker} -->`;
  // A marker pair may appear once per file.
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start === -1 || end === -1 || end < start)
    throw new Error(`${file} lacks the ${open} … ${close} markers`);
  return `${text.slice(0, start + open.length)}\n\n${body}\n\n${text.slice(end)}`;
}

let stale = 0;
for (const name of readdirSync(join(root, 'actions')).sort()) {
  const yml = join(root, 'actions', name, 'action.yml');
  const readme = join(root, 'actions', name, 'README.md');
  if (!existsSync(yml)) continue;
  if (!existsSync(readme)) {
    console.error(`actions/${name}/README.md is missing`);
    stale++;
    continue;
  }
  const action = parse(readFileSync(yml, 'utf8'));
  const before = readFileSync(readme, 'utf8');
  let after = replaceBetween(before, 'inputs', inputsTable(action), `actions/${name}/README.md`);
  after = replaceBetween(after, 'outputs', outputsTable(action), `actions/${name}/README.md`);
  if (after !== before) {
    if (check) {
      console.error(`actions/${name}/README.md: inputs/outputs tables are stale; run npm run docs`);
      stale++;
    } else {
      writeFileSync(readme, after);
      console.log(`updated actions/${name}/README.md`);
    }
  }
}
// The root README carries every action's tables too, between <!-- inputs:NAME --> and <!-- outputs:NAME -->.
const rootReadme = join(root, 'README.md');
if (existsSync(rootReadme)) {
  const before = readFileSync(rootReadme, 'utf8');
  let after = before;
  for (const [, kind, name] of before.matchAll(/<!-- (inputs|outputs):([a-z-]+) -->/g)) {
    const yml = join(root, 'actions', name, 'action.yml');
    if (!existsSync(yml)) {
      console.error(`README.md has tables for actions/${name}, which has no action.yml`);
      stale++;
      continue;
    }
    const action = parse(readFileSync(yml, 'utf8'));
    after = replaceBetween(
      after,
      `${kind}:${name}`,
      kind === 'inputs' ? inputsTable(action) : outputsTable(action),
      'README.md',
    );
  }
  if (after !== before) {
    if (check) {
      console.error('README.md: action tables are stale; run npm run docs');
      stale++;
    } else {
      writeFileSync(rootReadme, after);
      console.log('updated README.md');
    }
  }
}
if (stale > 0) process.exit(1);
