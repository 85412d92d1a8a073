// Counts the rows of the hardening tables (test/hardening/) and writes them into the marked block of
// README.md. Usage: node scripts/hardening-counts.mjs [--check]   (--check: change nothing, exit 1 when
// the README is stale). The tables are TypeScript, loaded with tsx.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const { hardeningCounts, renderCountsBlock, COUNTS_START, COUNTS_END } = await tsImport(
  '../test/hardening/counts.ts',
  import.meta.url,
);

const counts = hardeningCounts();
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(COUNTS_START);
const end = readme.indexOf(COUNTS_END);
if (start < 0 || end < start) {
  console.error(`README.md has no block between '${COUNTS_START}' and '${COUNTS_END}'`);
  process.exit(1);
}
const next = `${readme.slice(0, start + COUNTS_START.length)}\n${renderCountsBlock(counts)}\n${readme.slice(end)}`;
const short = counts.filter((c) => c.rows < c.minimum);
for (const c of short) console.error(`${c.table}: ${c.rows} rows, fewer than the ${c.minimum} required`);
if (next === readme) {
  console.log(
    `README.md hardening counts are current: ${counts.map((c) => `${c.table} ${c.rows}`).join(', ')}`,
  );
} else if (check) {
  console.error('README.md hardening counts are stale: run `node scripts/hardening-counts.mjs`');
  process.exit(1);
} else {
  writeFileSync(readmePath, next);
  console.log(`README.md hardening counts updated: ${counts.map((c) => `${c.table} ${c.rows}`).join(', ')}`);
}
if (short.length > 0) process.exit(1);
