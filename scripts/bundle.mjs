// Builds every JavaScript action (and the CLI) into dist/<name>/ with one ncc call per entry point.
// Usage: node scripts/bundle.mjs [--out <dir>] [name ...]
//   --out   where to write (default dist/; check-dist builds into a temporary folder)
//   name    only these actions (default: all); only their folders are replaced
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ncc from '@vercel/ncc';

const root = resolve(import.meta.dirname, '..');

/** Entry points: actions/<name>/src/{index,post}.ts and packages/cli/src/bin.ts. */
function entries() {
  const found = [];
  for (const name of readdirSync(join(root, 'actions')).sort()) {
    for (const file of ['index', 'post']) {
      const src = join(root, 'actions', name, 'src', `${file}.ts`);
      if (existsSync(src)) found.push({ name, file, src });
    }
  }
  const cli = join(root, 'packages', 'cli', 'src', 'bin.ts');
  if (existsSync(cli)) found.push({ name: 'cli', file: 'index', src: cli });
  return found;
}

const args = process.argv.slice(2);
let outDir = join(root, 'dist');
const only = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out') outDir = resolve(args[++i]);
  else only.push(args[i]);
}

const selected = entries().filter((entry) => only.length === 0 || only.includes(entry.name));
if (only.length === 0) rmSync(outDir, { recursive: true, force: true });
else
  for (const name of new Set(selected.map((e) => e.name)))
    rmSync(join(outDir, name), { recursive: true, force: true });

for (const entry of selected) {
  const { code, assets } = await ncc(entry.src, {
    minify: true,
    sourceMap: false,
    license: 'licenses.txt',
    quiet: true,
    target: 'es2022',
    // Types are checked once by `tsc --noEmit`; the bundler only strips them.
    transpileOnly: true,
  });
  const dir = join(outDir, entry.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${entry.file}.js`), code);
  for (const [file, asset] of Object.entries(assets ?? {})) {
    const target = join(dir, file);
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, asset.source);
  }
  process.stdout.write(`bundled ${entry.name}/${entry.file}.js (${(code.length / 1024).toFixed(0)} KiB)\n`);
}
