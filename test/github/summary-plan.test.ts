import { describe, expect, it } from 'vitest';
import { buildPlan } from '@shiftgate/core';
import { escapeMarkdown } from '@shiftgate/core';
import { bar, selectionSummary, weightChart } from '@shiftgate/github';

describe('the select-strategy summary', () => {
  it('leads with the strategy and its source, then the plan table', () => {
    const text = selectionSummary({
      plan: buildPlan('canary'),
      source: 'dispatch',
      label: null,
      environment: 'production',
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('## shiftgate: canary to `production`');
    expect(text).toContain(
      'chosen by the `strategy` input of the manual run (workflow_dispatch). 7 steps, 15m of baking.',
    );
    expect(text).toContain('| 1 | shift 5% of traffic to the new version | █░░░░░░░░░ 5% |');
    expect(text).toContain('| 7 | shift 100% of traffic to the new version | ██████████ 100% |');
  });

  it('charts the weight schedule against elapsed bake time', () => {
    expect(weightChart(buildPlan('canary', { steps: '10,100', 'bake-time': '2m' }))).toBe(
      [
        '```mermaid',
        'xychart-beta',
        '  title "Canary weight over bake time"',
        '  x-axis ["0s", "0s", "2m", "2m"]',
        '  y-axis "traffic to new version (%)" 0 --> 100',
        '  line [0, 10, 10, 100]',
        '```',
      ].join('\n'),
    );
    expect(weightChart(buildPlan('saga', { services: 'a' }))).toBeNull();
  });

  it('lists saga compensation in order', () => {
    const text = selectionSummary({
      plan: buildPlan('saga', { services: 'db,api' }),
      source: 'input',
      label: null,
      environment: null,
    });
    expect(text).toContain('compensation runs in this order: api → db.');
  });

  it('escapes table cells and neutralises HTML', () => {
    expect(escapeMarkdown('a|b<script>\nc')).toBe('a\\|b&lt;script&gt; c');
    expect(bar(0)).toBe('░░░░░░░░░░');
    expect(bar(100)).toBe('██████████');
  });
});
