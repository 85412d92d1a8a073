// The tables meet their minimums, the README shows their current counts, and the bad-input table names
// every input of every action (apart from free text, where no value is wrong).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/runner';
import { ACTION_ROWS, VALID } from './bad-inputs.table';
import { COUNTS_END, COUNTS_START, hardeningCounts, renderCountsBlock } from './counts';

/**
 * Inputs that take any text, so no value of theirs is an error. Each is still hostile-tested where it
 * is shown: rollback's reason and record-deployment's description in the attack table.
 */
const FREE_TEXT: Record<string, string[]> = {
  'bake-and-gate': ['smoke-command'],
  'run-plan': ['smoke-command'],
  rollback: ['reason'],
  'record-deployment': ['description'],
};

describe('the hardening tables', () => {
  it.each(hardeningCounts().map((c) => [c.table, c] as const))('%s meets its minimum', (_name, count) => {
    expect(count.rows).toBeGreaterThanOrEqual(count.minimum);
  });

  it('shows the current counts in the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`${COUNTS_START}\n${renderCountsBlock(hardeningCounts())}\n${COUNTS_END}`);
  });

  it.each(Object.keys(VALID))('has a bad-input row for every input of %s', (action) => {
    const doc = parseYaml(readFileSync(join(ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const covered = new Set(ACTION_ROWS.filter((r) => r.action === action).map((r) => r.input));
    const missing = Object.keys(doc.inputs).filter(
      (name) => !covered.has(name) && !(FREE_TEXT[action] ?? []).includes(name),
    );
    expect(missing).toEqual([]);
  });
});
