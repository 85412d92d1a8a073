// Bundle size and cold start of every dist/<action>/index.js, as a ratio to `node -e 0` measured in the
// same run (interleaved, median of N), under this machine's node and node 24.
//   npx tsx bench/startup.ts [runs]
// Each action runs as the runner would start it: an empty workspace, a workflow_dispatch event, and the
// inputs it needs to reach its first decision (select-strategy completes; the others stop at input
// validation, which is where their cold start ends and AWS calls would begin).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nodeBinaries } from '../test/support/runner';

const root = resolve(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 15);
const dir = mkdtempSync(join(tmpdir(), 'shiftgate-bench-'));
const event = join(dir, 'event.json');
writeFileSync(
  event,
  JSON.stringify({
    inputs: { strategy: 'canary' },
    repository: { full_name: 'acme/shop' },
    sender: { login: 'alice' },
  }),
);
for (const f of ['output', 'state', 'summary']) writeFileSync(join(dir, f), '');

const env: Record<string, string | undefined> = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GITHUB_EVENT_NAME: 'workflow_dispatch',
  GITHUB_EVENT_PATH: event,
  GITHUB_OUTPUT: join(dir, 'output'),
  GITHUB_STATE: join(dir, 'state'),
  GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  GITHUB_WORKSPACE: dir,
  GITHUB_REPOSITORY: 'acme/shop',
  'INPUT_DEFAULT-STRATEGY': 'blue-green',
  'INPUT_LABEL-PREFIX': 'deploy:',
  'INPUT_REQUIRE-PERMISSION': 'write',
  'INPUT_ALLOW-FORKS': 'false',
  INPUT_CONFIG: '.github/shiftgate.yml',
};

const bundles = readdirSync(join(root, 'dist'))
  .filter((name) => existsSync(join(root, 'dist', name, 'index.js')) && name !== 'cli')
  .sort();
const nodes = nodeBinaries();

const time = (node: string, args: string[]) => {
  const start = process.hrtime.bigint();
  spawnSync(node, args, { env, cwd: dir, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const rows: Array<{ node: string; bundle: string; size: number; ms: number; base: number }> = [];
for (const node of nodes) {
  const samples: Record<string, number[]> = { baseline: [] };
  for (const b of bundles) samples[b] = [];
  time(node.path, ['-e', '0']); // warm the file cache once
  for (let i = 0; i < runs; i++) {
    samples.baseline!.push(time(node.path, ['-e', '0']));
    for (const b of bundles) samples[b]!.push(time(node.path, [join(root, 'dist', b, 'index.js')]));
  }
  const base = median(samples.baseline!);
  for (const b of bundles) {
    const size = statSync(join(root, 'dist', b, 'index.js')).size;
    rows.push({ node: node.name, bundle: b, size, ms: median(samples[b]!), base });
  }
}
rmSync(dir, { recursive: true, force: true });

console.log(`cold start, median of ${runs} runs, interleaved with node -e 0`);
console.log('| node | bundle | size | start (ms) | node -e 0 (ms) | ratio |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.node} | ${r.bundle} | ${(r.size / 1024 / 1024).toFixed(2)} MB | ${r.ms.toFixed(1)} | ${r.base.toFixed(1)} | ${(r.ms / r.base).toFixed(2)}× |`,
  );
}
