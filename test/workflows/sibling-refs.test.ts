// Sibling refs in lockstep (issue 10): the composite and the reusable workflow reach their sibling
// actions only through the self-repository reference `$/actions/<name>`, which resolves to the commit
// being run, so a caller who pins shiftgate by SHA runs exactly that SHA's siblings.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { localActionName } from '../support/composite';
import { ROOT } from '../support/runner';
import { localActions, resolveSelfReferences, validateWorkflowFile } from '../support/workflow-validators';

/** Every `uses:` of a composite action or a workflow, in document order. */
function usesOf(file: string): string[] {
  const doc = parseYaml(readFileSync(join(ROOT, file), 'utf8')) as {
    runs?: { steps?: { uses?: string }[] };
    jobs?: Record<string, { uses?: string; steps?: { uses?: string }[] }>;
  };
  const steps = [
    ...(doc.runs?.steps ?? []),
    ...Object.values(doc.jobs ?? {}).flatMap((job) => [{ uses: job.uses }, ...(job.steps ?? [])]),
  ];
  return steps.map((step) => step.uses).filter((uses): uses is string => typeof uses === 'string');
}

const SIBLING_USERS = ['actions/progressive-deploy/action.yml', '.github/workflows/progressive-deploy.yml'];
const ours = Object.keys(localActions());

describe.each(SIBLING_USERS)('%s', (file) => {
  const uses = usesOf(file);

  it('references every sibling action as $/actions/<name>, and nothing of ours any other way', () => {
    for (const u of uses) {
      // Besides our siblings, only the third-party actions the workflow needs, by owner/name@major.
      // (the artifact actions carry the run's trace to the dashboard).
      if (
        /^(?:actions\/checkout|aws-actions\/configure-aws-credentials|actions\/(?:upload|download)-artifact)@v\d+$/.test(
          u,
        )
      )
        continue;
      expect(u, `uses: ${u}`).toMatch(/^\$\/actions\/[a-z0-9-]+$/);
      expect(ours).toContain(localActionName(u));
    }
    const text = readFileSync(join(ROOT, file), 'utf8');
    // Neither a moving tag of the published repository nor a workspace-relative path (the caller's checkout).
    expect(text).not.toMatch(/^\s*(?:-\s+)?uses:\s*['"]?shiftgate\/shiftgate\//m);
    expect(text).not.toMatch(/^\s*(?:-\s+)?uses:\s*['"]?\.\//m);
  });

  it('uses every action it needs: select, record, run, roll back', () => {
    expect(new Set(uses.map(localActionName).filter((name) => name !== null))).toEqual(
      new Set(['select-strategy', 'record-deployment', 'run-plan', 'rollback']),
    );
  });
});

describe('the examples', () => {
  // Users copy them into their own repositories, where `$/` would mean their repository, not ours.
  it.each(readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yml')))(
    '%s references shiftgate by owner/name@ref, never by $/',
    (file) => {
      expect(readFileSync(join(ROOT, 'examples', file), 'utf8')).not.toMatch(/uses:\s*['"]?\$\//);
    },
  );
});

describe('self-repository references in the validators', () => {
  // The reference under test is on line 8.
  const workflow = (uses: string, input = 'strategy') => `name: self
on: workflow_dispatch
permissions: { contents: read }
jobs:
  plan:
    runs-on: ubuntu-24.04
    steps:
      - uses: ${uses}
        with: { ${input}: canary }
`;

  it('accept $/actions/<name> of one of our actions', async () => {
    expect(await validateWorkflowFile('w.yml', workflow('$/actions/select-strategy'))).toEqual([]);
    expect(await validateWorkflowFile('w.yml', workflow("'$/actions/select-strategy'"))).toEqual([]);
  });

  it("still check the step's inputs against that action's metadata", async () => {
    const findings = await validateWorkflowFile('w.yml', workflow('$/actions/select-strategy', 'strategyy'));
    expect(findings.map((f) => f.message)).toContain("Invalid action input 'strategyy'");
  });

  it.each([
    ['$/actions/select-strategy@v0', 'a ref (the running commit is implied)'],
    ['$/actions/no-such-action', 'an action that does not exist'],
    ['$/actions/select-strategy/src', 'a path below an action'],
    ['$/.github/actions/x', 'another folder'],
    ['$/', 'no path'],
  ])('refuse %s (%s)', async (uses) => {
    const findings = await validateWorkflowFile('w.yml', workflow(uses));
    expect(findings).toContainEqual(
      expect.objectContaining({
        validator: 'self-reference',
        line: 8,
        message: expect.stringContaining(`'${uses}' is not a self-repository reference`),
      }),
    );
  });

  it('read $/actions/<name> as the published action without moving a line', () => {
    const text = workflow('$/actions/run-plan');
    const { content, findings } = resolveSelfReferences(text);
    expect(findings).toEqual([]);
    expect(content.split('\n')).toHaveLength(text.split('\n').length);
    expect(content.split('\n')[7]).toBe('      - uses: shiftgate/shiftgate/actions/run-plan@self');
  });

  it('map $/actions/<name> to our action in the expression simulator, and nothing else of that form', () => {
    expect(localActionName('$/actions/run-plan')).toBe('run-plan');
    expect(localActionName('$/actions/run-plan@v0')).toBeNull();
    expect(localActionName('$/x/actions/run-plan')).toBeNull();
  });
});
