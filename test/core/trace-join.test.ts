// Joining one deployment's run traces (the reusable workflow's per-region chain: one run-plan trace per
// region job), and the dashboard reading the joined trace as one run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { joinRunTraces, MAX_TRACE_PARTS, readDeploymentTrace } from '@shiftgate/core';
import { ROOT } from '../support/runner';

const health = JSON.parse(
  readFileSync(join(ROOT, 'test', 'fixtures', 'traces', 'v1-canary-step-regression.json'), 'utf8'),
);

/** A run-plan trace of one region job: a shift and a bake of wave `wave`, ending as `decision`. */
function regionTrace(wave: number, decision: string, at: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    strategy: 'rolling',
    decision,
    status: decision === 'paused' ? 'paused' : decision === 'promote' ? 'promoted' : 'rolled-back',
    reason: `${decision} after wave ${wave}`,
    cancelled: false,
    'started-at': at,
    'ended-at': at,
    steps: [
      {
        index: wave * 2,
        kind: 'shift',
        outcome: 'passed',
        message: `wave ${wave} at 100%`,
        weights: { stable: 0, canary: 100 },
        retries: [],
      },
      {
        index: wave * 2 + 1,
        kind: 'bake',
        outcome: 'passed',
        message: `wave ${wave} baked`,
        health,
        retries: [],
      },
    ],
    rollback: null,
    ...extra,
  });
}

describe('joinRunTraces', () => {
  const first = regionTrace(0, 'paused', '2026-01-01T09:00:00.000Z');
  const second = regionTrace(1, 'paused', '2026-01-01T10:00:00.000Z');
  const last = regionTrace(2, 'promote', '2026-01-01T11:00:00.000Z');

  it('puts the earlier runs’ steps first, keeps the first start, and ends as the last run ended', () => {
    const joined = joinRunTraces(
      [
        { name: '77.part-1.json', text: first },
        { name: '77.part-2.json', text: second },
      ],
      last,
    );
    expect(joined.problems).toEqual([]);
    const doc = JSON.parse(joined.text);
    expect(doc.steps.map((s: { index: number }) => s.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(doc).toMatchObject({
      'started-at': '2026-01-01T09:00:00.000Z',
      'ended-at': '2026-01-01T11:00:00.000Z',
      decision: 'promote',
      status: 'promoted',
      reason: 'promote after wave 2',
    });
  });

  it('gives the dashboard one run: every wave’s step and window, the verdict of the last run', () => {
    const joined = joinRunTraces([{ name: '77.part-1.json', text: first }], last);
    const view = readDeploymentTrace('of deployment 77', joined.text);
    const alone = readDeploymentTrace('of deployment 77', last);
    expect(view.steps.map((s) => s.message)).toEqual([
      'wave 0 at 100%',
      'wave 0 baked',
      'wave 2 at 100%',
      'wave 2 baked',
    ]);
    expect(view.windows).toHaveLength(2 * alone.windows.length);
    expect(view.decision).toBe('promote');
    expect(view.reason).toBe('promote after wave 2');
  });

  it('keeps the rollback of the run that rolled back', () => {
    const rolledBack = regionTrace(1, 'rollback', '2026-01-01T10:00:00.000Z', {
      rollback: {
        reason: 'a gate failed',
        to: 'stable',
        at: '2026-01-01T10:30:00.000Z',
        routes: [],
        error: null,
        undo: [],
      },
    });
    const doc = JSON.parse(joinRunTraces([{ name: '77.part-1.json', text: first }], rolledBack).text);
    expect(doc.rollback).toMatchObject({ reason: 'a gate failed' });
    expect(doc.decision).toBe('rollback');
  });

  it('carries an A/B comparison from the run that had it when the last run had none', () => {
    const comparison = { verdict: 'b-better', message: 'B wins', metrics: [] };
    const paused = regionTrace(0, 'paused', '2026-01-01T09:00:00.000Z', { comparison });
    const doc = JSON.parse(joinRunTraces([{ name: 'a', text: paused }], last).text);
    expect(doc.comparison).toEqual(comparison);
    const own = { verdict: 'inconclusive', message: 'later', metrics: [] };
    const later = regionTrace(2, 'promote', '2026-01-01T11:00:00.000Z', { comparison: own });
    expect(JSON.parse(joinRunTraces([{ name: 'a', text: paused }], later).text).comparison).toEqual(own);
  });

  it('leaves out a part that is not a run-plan trace, naming it', () => {
    const joined = joinRunTraces(
      [
        { name: '77.part-1.json', text: 'not json' },
        { name: '77.part-2.json', text: JSON.stringify(health) },
        { name: '77.part-3.json', text: second },
      ],
      last,
    );
    expect(joined.problems).toEqual([
      '77.part-1.json is not a run-plan trace (a JSON object with a steps list)',
      '77.part-2.json is not a run-plan trace (a JSON object with a steps list)',
    ]);
    expect(JSON.parse(joined.text).steps).toHaveLength(4);
  });

  it('returns this run’s trace unchanged when there is nothing to join, or it is no run-plan trace', () => {
    expect(joinRunTraces([], last)).toEqual({ text: last, problems: [] });
    const bake = JSON.stringify(health);
    const joined = joinRunTraces([{ name: 'a', text: first }], bake);
    expect(joined.text).toBe(bake);
    expect(joined.problems).toEqual([
      "this run's trace is not a run-plan trace, so the 1 earlier trace(s) were not joined",
    ]);
  });

  it(`joins at most ${MAX_TRACE_PARTS} earlier traces`, () => {
    const many = Array.from({ length: MAX_TRACE_PARTS + 1 }, (_, i) => ({ name: `p${i}`, text: first }));
    const joined = joinRunTraces(many, last);
    expect(joined.text).toBe(last);
    expect(joined.problems[0]).toContain(`more than ${MAX_TRACE_PARTS}`);
    expect(JSON.parse(joinRunTraces(many.slice(1), last).text).steps).toHaveLength(2 * MAX_TRACE_PARTS + 2);
  });
});
