// Builds every JavaScript action (and the CLI) into dist/<name>/ with one ncc call per entry point.
// Usage: node scripts/bundle.mjs [outDir]   (outDir defaults to dist; check-dist builds into a temp dir)
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ncc from '@vercel/ncc';

const root = resolve(import.meta.dirname, '..');
const outDir = resolve(process.argv[2] ?? join(root, 'dist'));

/** Entry points: actions/<name>/src/{index,post}.ts and packages/cli/src/bin.ts. */
export function entries() {
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

rmSync(outDir, { recursive: true, force: true });
for (const entry of entries()) {
  const { code, assets } = await ncc(entry.src, {
    minify: true,
    sourceMap: false,
    license: 'licenses.txt',
    quiet: true,
    target: 'es2022',
  });
  const dir = join(outDir, entry.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${entry.file}.js`), code);
  for (const [file, asset] of Object.entries(assets ?? {})) {
    // Every entry of one action writes the same package.json / licenses; last one wins, contents equal.
    const target = join(dir, file);
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, asset.source);
  }
  process.stdout.write(`bundled ${entry.name}/${entry.file}.js (${(code.length / 1024).toFixed(0)} KiB)\n`);
}
