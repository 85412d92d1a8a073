// The package boundaries of DESIGN.md are lint rules (eslint.config.js): each fixture under
// test/fixtures/lint breaks one, linted as if it lived where its first line says, and must fail with
// that rule and its message. The real tree must pass them all.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/runner';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'lint');
const eslint = new ESLint({ cwd: ROOT });

/** What each fixture must trip: the rule, and a piece of its message. */
const EXPECTED: Record<string, { rule: string; says: string }> = {
  'core-node-io': { rule: 'no-restricted-imports', says: 'core does no I/O' },
  'core-aws-sdk': { rule: 'no-restricted-imports', says: 'core knows no AWS SDK' },
  'core-actions': { rule: 'no-restricted-imports', says: 'core knows no runner' },
  'core-folder-insides': { rule: 'no-restricted-imports', says: 'through its index' },
  'core-timer': { rule: 'no-restricted-globals', says: 'core sets no timers' },
  'core-random': { rule: 'no-restricted-properties', says: 'core draws no random numbers' },
  'core-clock': { rule: 'no-restricted-syntax', says: 'core reads no clock' },
  'adapter-imports-adapter': { rule: 'no-restricted-imports', says: 'imports only @shiftgate/core' },
  'aws-imports-github': { rule: 'no-restricted-imports', says: 'imports only @shiftgate/core' },
  'action-imports-action': { rule: 'no-restricted-imports', says: 'never imports another action' },
  'cli-relative-package': { rule: 'no-restricted-imports', says: 'Import other packages by name' },
  'action-raw-log': { rule: 'no-restricted-syntax', says: 'Log through the log writer' },
};

describe('lint boundaries', () => {
  const fixtures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.ts.txt'))
    .map((f) => f.replace(/\.ts\.txt$/, ''));

  it('has an expectation for every fixture, and a fixture for every expectation', () => {
    expect(fixtures.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('fails %s with its rule', async (name, { rule, says }) => {
    const text = readFileSync(join(FIXTURES, `${name}.ts.txt`), 'utf8');
    const as = /^\/\/ as: (\S+)/.exec(text)?.[1];
    expect(as, 'the first line names where the fixture pretends to live').toBeDefined();
    const [result] = await eslint.lintText(text, { filePath: join(ROOT, as!) });
    const hits = result!.messages.filter((m) => m.ruleId === rule);
    expect(hits.map((m) => m.message).join('\n')).toContain(says);
  });

  it('passes the real source tree', async () => {
    const results = await eslint.lintFiles(['packages/*/src/**/*.ts', 'actions/*/src/**/*.ts']);
    const problems = results.flatMap((r) =>
      r.messages.map((m) => `${r.filePath.slice(ROOT.length + 1)}:${m.line} ${m.ruleId}: ${m.message}`),
    );
    expect(problems).toEqual([]);
  });
});

describe('workspace dependencies', () => {
  const packages = readdirSync(join(ROOT, 'packages'));

  it.each(packages)('@shiftgate/%s declares exactly the @shiftgate packages it imports', (name) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const declared = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@shiftgate/'));
    const imported = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) {
          for (const m of readFileSync(path, 'utf8').matchAll(/(?:from|import\()\s*'(@shiftgate\/[a-z-]+)/g))
            imported.add(m[1]!);
        }
      }
    };
    walk(join(ROOT, 'packages', name, 'src'));
    imported.delete(`@shiftgate/${name}`);
    expect(declared.sort()).toEqual([...imported].sort());
  });
});
