import { describe, expect, it } from 'vitest';
import { condition, interpolate, toData } from '../support/expressions';

const contexts = toData(
  {
    inputs: { environment: 'production' },
    steps: {
      select: {
        outputs: { strategy: 'canary', state: '{"step":0}' },
        outcome: 'success',
        conclusion: 'success',
      },
    },
    github: { event_name: 'pull_request', token: 'ghs_x' },
  },
  '',
  (path) => path === '' || path === 'inputs' || path === 'steps' || /^steps\.[^.]+(\.outputs)?$/.test(path),
) as Parameters<typeof interpolate>[1];

describe('the expression harness', () => {
  it('evaluates references and functions', () => {
    expect(interpolate('${{ steps.select.outputs.strategy }} to ${{ inputs.environment }}', contexts)).toBe(
      'canary to production',
    );
    expect(interpolate('${{ fromJSON(steps.select.outputs.state).step }}', contexts)).toBe('0');
  });

  it('fails on a step id, an output or an input that does not exist', () => {
    expect(() => interpolate('${{ steps.selct.outputs.strategy }}', contexts)).toThrow(
      'steps.selct is not defined (known: select)',
    );
    expect(() => interpolate('${{ steps.select.outputs.stratgy }}', contexts)).toThrow(
      'steps.select.outputs.stratgy is not defined',
    );
    expect(() => interpolate('${{ inputs.enviroment }}', contexts)).toThrow(
      'inputs.enviroment is not defined',
    );
    expect(() => interpolate('${{ nope.x }}', contexts)).toThrow();
  });

  it('evaluates conditions with the status functions and the implied success()', () => {
    expect(condition(undefined, contexts, 'failure')).toBe(false);
    expect(condition("inputs.environment == 'production'", contexts, 'success')).toBe(true);
    expect(condition("inputs.environment == 'production'", contexts, 'failure')).toBe(false);
    expect(condition('${{ failure() || cancelled() }}', contexts, 'cancelled')).toBe(true);
    expect(condition('always()', contexts, 'failure')).toBe(true);
  });
});
