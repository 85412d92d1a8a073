import { describe, expect, it } from 'vitest';
import {
  BASELINE_NOTE,
  buildPlan,
  cellsSummary,
  createRolloutState,
  waveChart,
  withCells,
  type RolloutState,
} from '@shiftgate/core';
import { generateCells } from '../../packages/cli/src/simulator/index';

function cellState(statuses: Record<string, 'promoted' | 'in-progress' | 'rolled-back'>): RolloutState {
  const cells = generateCells({ count: 12, regions: ['us-east-1', 'eu-west-1'], zones: 2 });
  const plan = buildPlan('rolling', {}, { cells });
  const state = withCells(
    createRolloutState({
      strategy: 'rolling',
      parameters: plan.parameters,
      plan: plan.steps,
      now: new Date(Date.UTC(2026, 0, 1)),
    }),
    cells,
  );
  const next = { ...state.cells! };
  for (const [name, status] of Object.entries(statuses)) next[name] = { ...next[name]!, status };
  return { ...state, cells: next };
}

describe('cells summary', () => {
  it('draws the weight chart per wave: planned share of cells (line) and serving now (bars)', () => {
    const state = cellState({ 'us-east-1a-1': 'promoted', 'us-east-1a-2': 'in-progress' });
    expect(waveChart(state)).toBe(
      [
        '```mermaid',
        'xychart-beta',
        '  title "Cells on the new version after each wave (%): planned (line), serving now (bars)"',
        '  x-axis "wave" ["1 us-east-1", "2 us-east-1", "3 us-east-1", "4 eu-west-1", "5 eu-west-1", "6 eu-west-1"]',
        '  y-axis "cells (%)" 0 --> 100',
        '  bar [8.3, 16.7, 16.7, 16.7, 16.7, 16.7]',
        '  line [8.3, 25, 50, 58.3, 75, 100]',
        '```',
      ].join('\n'),
    );
  });

  it('shows rolled-back cells as no longer serving, and says what the cross-cell baseline is', () => {
    const state = cellState({ 'us-east-1a-1': 'rolled-back' });
    const summary = cellsSummary(state);
    expect(summary).toContain('  bar [0, 0, 0, 0, 0, 0]');
    expect(summary).toContain(BASELINE_NOTE);
    expect(BASELINE_NOTE).toMatch(/request-weighted mean of the old cells' p99s/);
  });

  it('keeps a region name that is not plain out of the chart label', () => {
    const state = cellState({});
    const cells = { ...state.cells! };
    cells['us-east-1a-1'] = { ...cells['us-east-1a-1']!, region: 'x"]; click' };
    const chart = waveChart({ ...state, cells })!;
    expect(chart).toContain('x-axis "wave" ["1", "2 us-east-1"');
    expect(chart).not.toContain('click');
  });
});
