import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ELBV2_ROUTER_ACTIONS, ELBV2_RULE_ACTIONS } from '@shiftgate/aws';
import { DEFAULTS } from '../../../actions/rollback/src/inputs';
import { actionMetadata, appConfigActionsInSource, documentedPolicy } from '../../e2e/traffic-runner';
import { ROOT } from '../../support/runner';

describe('rollback action.yml', () => {
  const action = actionMetadata('rollback');

  it('describes every input and output', () => {
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)]) {
      expect(spec.description?.trim(), name).toBeTruthy();
    }
    expect(Object.keys(action.outputs).sort()).toEqual(['rolled-back', 'state', 'weights']);
  });

  it("states the code's defaults, as strings", () => {
    expect(
      Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, spec.default])),
    ).toEqual(DEFAULTS);
  });

  it('runs its bundle on node 24 and has no post step', () => {
    expect(action.runs).toEqual({ using: 'node24', main: '../../dist/rollback/index.js' });
  });

  it('documents an IAM policy of exactly the ELBv2 calls the code makes', () => {
    // The audience rule of an A/B state is found by its tag and deleted, never created.
    const removal = ELBV2_RULE_ACTIONS.filter((a) => a !== 'CreateRule' && a !== 'AddTags');
    // The emergency disable of a flag on AppConfig reads, stops and redeploys; it never creates a version.
    const disable = ['appconfig:GetDeployment', 'appconfig:StartDeployment', 'appconfig:StopDeployment'];
    expect(disable.every((a) => appConfigActionsInSource().includes(a))).toBe(true);
    expect(documentedPolicy('rollback')).toEqual(
      [
        ...disable,
        ...[...new Set([...ELBV2_ROUTER_ACTIONS, ...removal])].map((a) => `elasticloadbalancing:${a}`),
      ].sort(),
    );
  });

  it('keeps the generated tables between their markers', () => {
    const readme = readFileSync(join(ROOT, 'actions', 'rollback', 'README.md'), 'utf8');
    for (const marker of ['<!-- inputs -->', '<!-- /inputs -->', '<!-- outputs -->', '<!-- /outputs -->'])
      expect(readme).toContain(marker);
  });
});
