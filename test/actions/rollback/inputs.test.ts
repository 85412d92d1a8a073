import { describe, expect, it } from 'vitest';
import { parseInputs } from '../../../actions/rollback/src/inputs';
import { cli } from '../../support/cli';

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const ROUTE = {
  'listener-arn': LISTENER,
  'stable-target-group-arn':
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/73e2d6bc24d8a067',
  'canary-target-group-arn':
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/83e2d6bc24d8a067',
};

function parse(values: Record<string, string>) {
  const warnings: string[] = [];
  const inputs = parseInputs(
    (name) => ({ ...ROUTE, ...values })[name] ?? '',
    {},
    (message) => warnings.push(message),
  );
  return { to: inputs.to, warnings };
}

describe('rollback inputs: rollback-to and its deprecated alias to', () => {
  it('sends traffic to stable when neither is given, without a warning', () => {
    expect(parse({})).toEqual({ to: 'stable', warnings: [] });
    expect(parse({ 'rollback-to': 'stable' })).toEqual({ to: 'stable', warnings: [] });
  });

  it('still takes to, and warns that it is deprecated', () => {
    expect(parse({ to: 'stable' })).toEqual({
      to: 'stable',
      warnings: ["Input 'to' is deprecated and will be removed; use 'rollback-to' instead."],
    });
  });

  it('refuses both given and different', () => {
    expect(() => parse({ 'rollback-to': 'stable', to: 'previous' })).toThrow(
      "Input 'rollback-to' is 'stable' but its deprecated alias 'to' is 'previous'; give only 'rollback-to'",
    );
  });

  it('names the input the workflow gave when previous has nothing to restore', () => {
    expect(() => parse({ 'rollback-to': 'previous' })).toThrow(
      `Input 'rollback-to' is 'previous', but no state was given to say what was there before, for ${LISTENER}; use rollback-to: stable`,
    );
    expect(() => parse({ to: 'previous' })).toThrow(`Input 'to' is 'previous', but no state was given`);
  });
});

describe('shiftgate rollback --rollback-to and its deprecated alias --to', () => {
  it('takes --rollback-to, and --to with a warning', async () => {
    const given = await cli(['rollback', '--simulate', '--rollback-to', 'stable']);
    expect(given.code).toBe(0);
    expect(given.stderr).not.toContain('deprecated');
    const old = await cli(['rollback', '--simulate', '--to', 'stable']);
    expect(old.code).toBe(0);
    expect(old.stderr).toContain(
      "warning: Input '--to' is deprecated and will be removed; use '--rollback-to' instead.",
    );
  });

  it.each([
    [['--rollback-to', 'blue'], "Input '--rollback-to' must be 'stable' or 'previous', got 'blue'"],
    [['--rollback-to', 'previous'], '--rollback-to previous needs --state'],
    [
      ['--rollback-to', 'stable', '--to', 'previous'],
      "Input '--rollback-to' is 'stable' but its deprecated alias '--to' is 'previous'",
    ],
  ])('exits 2 on %j', async (flags, message) => {
    const { code, stderr } = await cli(['rollback', '--simulate', ...flags]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('documents --rollback-to in --help', async () => {
    const { stdout } = await cli(['rollback', '--help']);
    expect(stdout).toContain('--rollback-to');
    expect(stdout).toContain('deprecated alias of --rollback-to');
  });
});
