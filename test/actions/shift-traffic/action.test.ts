import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ELBV2_ROUTER_ACTIONS } from '@shiftgate/aws';
import { DEFAULTS } from '../../../actions/shift-traffic/src/inputs';
import { actionMetadata, commandsInSource, documentedPolicy, postIfRuns } from '../../e2e/traffic-runner';
import { ROOT } from '../../support/runner';

describe('shift-traffic action.yml', () => {
  const action = actionMetadata('shift-traffic');

  it('describes every input and output', () => {
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)]) {
      expect(spec.description?.trim(), name).toBeTruthy();
    }
    expect(Object.keys(action.outputs).sort()).toEqual(['changed', 'previous-weights', 'state', 'weights']);
  });

  it("states the code's defaults, as strings", () => {
    expect(
      Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, spec.default])),
    ).toEqual(DEFAULTS);
    expect(Object.values(action.inputs).every((spec) => spec.required === false)).toBe(true);
  });

  it('runs the bundles on node 24, with a post step only after a failed or cancelled job', () => {
    expect(action.runs).toMatchObject({
      using: 'node24',
      main: '../../dist/shift-traffic/index.js',
      post: '../../dist/shift-traffic/post.js',
    });
    const postIf = action.runs['post-if']!;
    expect(postIfRuns(postIf, 'failure')).toBe(true);
    expect(postIfRuns(postIf, 'cancelled')).toBe(true);
    expect(postIfRuns(postIf, 'success')).toBe(false);
  });

  it('documents an IAM policy of exactly the ELBv2 calls the code makes', () => {
    expect(documentedPolicy('shift-traffic')).toEqual(
      ELBV2_ROUTER_ACTIONS.map((a) => `elasticloadbalancing:${a}`).sort(),
    );
    expect(commandsInSource()).toEqual([...ELBV2_ROUTER_ACTIONS].sort());
  });

  it('keeps the generated tables between their markers', () => {
    const readme = readFileSync(join(ROOT, 'actions', 'shift-traffic', 'README.md'), 'utf8');
    for (const marker of ['<!-- inputs -->', '<!-- /inputs -->', '<!-- outputs -->', '<!-- /outputs -->'])
      expect(readme).toContain(marker);
    for (const name of Object.keys(action.inputs)) expect(readme).toContain(`| \`${name}\` |`);
  });
});
