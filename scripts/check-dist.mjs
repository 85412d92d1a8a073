// Fails when the committed dist/ differs from a fresh bundle: users run dist/, so it must be what the
// source says. Builds into a temporary folder and compares file by file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const fresh = mkdtempSync(join(tmpdir(), 'shiftgate-dist-'));

function files(dir) {
  try {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
  } catch {
    return [];
  }
}

try {
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs'), '--out', fresh], { stdio: 'ignore' });
  const committed = new Map(files(join(root, 'dist')).map((f) => [relative(join(root, 'dist'), f), f]));
  const built = new Map(files(fresh).map((f) => [relative(fresh, f), f]));
  const problems = [];
  for (const [name, path] of built) {
    if (!committed.has(name)) problems.push(`dist/${name} is missing`);
    else if (!readFileSync(path).equals(readFileSync(committed.get(name))))
      problems.push(`dist/${name} differs`);
  }
  for (const name of committed.keys())
    if (!built.has(name)) problems.push(`dist/${name} is not built from any source`);
  if (problems.length > 0) {
    console.error(
      `dist/ does not match a fresh build; run npm run bundle and commit dist/:\n  ${problems.join('\n  ')}`,
    );
    process.exit(1);
  }
  console.log(`dist/ matches a fresh build (${built.size} files)`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
