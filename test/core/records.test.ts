import {
  canaryFromTrace,
  chosenByOf,
  completeRecord,
  createRolloutState,
  createDeploymentRecord,
  limitDescription,
  outcomeOf,
  parseCanaryTrace,
  parseDeploymentRecord,
  parseRecordableStatus,
  reasonFrom,
  runTraceReason,
  statusDescription,
  storeStateFor,
  type ArtifactRecord,
  type StoreState,
  type StoredStatus,
} from '@shiftgate/core';
import { describe, expect, it } from 'vitest';

const ID = '6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
const START = Date.parse('2026-02-01T10:00:00Z');

const artifact = (type: string, path = `dist/${type}.tgz`): ArtifactRecord => ({
  id: 'a'.repeat(64),
  version: 'v1.2.3',
  'artifact-type': type,
  path,
  'file-hash': 'b'.repeat(64),
  'file-size': 42,
  'created-at': START,
});

const record = (artifacts: ArtifactRecord[] = []) =>
  createDeploymentRecord({
    id: ID,
    version: 'v1.2.3',
    environment: 'production',
    strategy: 'canary',
    ref: 'main',
    startedAt: START,
    artifacts,
  });

describe('deployment records', () => {
  it('start in_progress with no completion', () => {
    expect(record()).toMatchObject({
      'deployment-status': 'in_progress',
      'completed-at': null,
      'duration-ms': null,
      'rolled-back': false,
      canary: null,
    });
  });

  it('refuses two artifacts of one type (unique per version and type)', () => {
    expect(() => record([artifact('image'), artifact('image', 'other.tar')])).toThrow(
      "Input 'artifacts' names the artifact type 'image' twice; each type is one file per version",
    );
  });

  it.each([
    ['succeeded', false],
    ['failed', false],
    ['rolled_back', true],
  ] as const)('complete as %s with duration and rolled-back %s', (status, rolledBack) => {
    const done = completeRecord(record(), { status, at: START + 90_000, reason: 'why' });
    expect(done).toMatchObject({
      'deployment-status': status,
      'completed-at': START + 90_000,
      'duration-ms': 90_000,
      'rolled-back': rolledBack,
      reason: 'why',
    });
    expect(() => completeRecord(done, { status: 'succeeded', at: START + 100_000 })).toThrow(
      `already ended as ${status}`,
    );
  });

  it('round-trip through JSON and parse strictly', () => {
    const done = completeRecord(record([artifact('image')]), {
      status: 'succeeded',
      at: START + 1000,
      canary: {
        'target-traffic-percent': 100,
        'current-traffic-percent': 25,
        'error-rate': 0.4,
        'latency-p99': 312,
        'created-at': START + 1000,
      },
    });
    expect(parseDeploymentRecord('record', JSON.stringify(done))).toEqual(done);
  });

  it('read who chose the strategy: older records (source and actor) and newer ones (label, checked role)', () => {
    const older = { ...record(), 'chosen-by': { source: 'dispatch', actor: 'octo-ops' } };
    expect(parseDeploymentRecord('record', older)['chosen-by']).toEqual({
      source: 'dispatch',
      actor: 'octo-ops',
    });
    const chosen = chosenByOf({
      source: 'label',
      runActor: 'octo-merger',
      label: 'deploy:canary',
      adder: { login: 'octo-dev', permission: 'write' },
    });
    expect(chosen).toEqual({
      source: 'label',
      actor: 'octo-dev',
      label: 'deploy:canary',
      permission: 'write',
    });
    const newer = createDeploymentRecord({
      id: ID,
      version: 'v1',
      environment: 'prod',
      startedAt: START,
      chosenBy: chosen,
    });
    expect(parseDeploymentRecord('record', JSON.stringify(newer))['chosen-by']).toEqual(chosen);
  });

  it('keep only what fits the field rules when they say who chose: never a hostile login or label', () => {
    expect(
      chosenByOf({
        source: 'label',
        runActor: 'octo-merger',
        label: 'deploy:canary\n::error::x',
        adder: { login: '<img src=x>', permission: 'write' },
      }),
    ).toEqual({ source: 'label', actor: 'octo-merger', label: null, permission: null });
    // A label and a role only for a label: a dispatch that passes them keeps neither.
    expect(
      chosenByOf({
        source: 'dispatch',
        runActor: undefined,
        label: 'deploy:canary',
        adder: { login: 'a', permission: 'admin' },
      }),
    ).toEqual({ source: 'dispatch', actor: null, label: null, permission: null });
  });

  it.each([
    ['not JSON', '{', /it is not JSON/],
    ['an unknown key', { ...record(), extra: 1 }, /unknown key 'extra'/],
    [
      'a missing key',
      (() => {
        const { reason: _r, ...rest } = record();
        return rest;
      })(),
      /missing key 'reason'/,
    ],
    [
      'a bad status',
      { ...record(), 'deployment-status': 'done' },
      /'deployment-status' must be one of pending, in_progress, succeeded, failed, rolled_back, got "done"/,
    ],
    [
      'a terminal status without completion',
      { ...record(), 'deployment-status': 'failed' },
      /'completed-at' must be set when the status is failed/,
    ],
    [
      'rolled-back that disagrees with the status',
      { ...record(), 'rolled-back': true },
      /'rolled-back' must be true exactly when/,
    ],
    ['an id that is not a UUID', { ...record(), id: 'x' }, /'id' must be a UUID/],
    [
      'a short file hash',
      { ...record([{ ...artifact('image'), 'file-hash': 'abc' }]) },
      /'artifacts\[0\].file-hash' must be a sha256/,
    ],
    // Field rules, as for inputs (a payload is written by anyone with `deployments: write`).
    [
      'a version with a newline',
      { ...record(), version: 'v1\n::warning::x' },
      /'version' must be a version of 1 to 256 .*got 'v1\\u000a::warning::x'/,
    ],
    [
      'a version with HTML and Markdown',
      { ...record(), version: 'v1<img src=x>[Approve](https://x)' },
      /'version' must be a version/,
    ],
    [
      'an environment with BEL',
      { ...record(), environment: 'prod\u0007' },
      /'environment' must be an environment name/,
    ],
    [
      'a ref read as an option',
      { ...record(), ref: '-oProxyCommand=x' },
      /'ref' must be null or a branch, tag or commit sha/,
    ],
    ['a short sha', { ...record(), sha: 'abc' }, /'sha' must be null or a commit sha of 40/],
    [
      'a reason on two lines',
      { ...record(), reason: 'ok\n::error::x' },
      /'reason' must be null or text of 1 to 1024/,
    ],
    [
      'an artifact path with ESC',
      { ...record([artifact('image', 'dist/\u001b]8;;x')]) },
      /'artifacts\[0\].path' must be text/,
    ],
    [
      'a chooser with a key of its own',
      { ...record(), 'chosen-by': { source: 'label', actor: null, command: 'rm -rf /' } },
      /unknown key 'chosen-by.command'/,
    ],
    [
      'a label on a chooser that is no label',
      { ...record(), 'chosen-by': { source: 'config', actor: null, label: 'deploy:canary' } },
      /'chosen-by.label' must be null unless/,
    ],
    [
      'a role on two lines',
      { ...record(), 'chosen-by': { source: 'label', actor: 'a', permission: 'write\n::error::x' } },
      /'chosen-by.permission' must be null or text/,
    ],
  ])('refuse %s', (_name, value, message) => {
    expect(() => parseDeploymentRecord('record', value)).toThrow(message);
  });
});

describe('status mapping', () => {
  it.each([
    ['in_progress', 'failure', 'in_progress'],
    ['succeeded', 'failure', 'success'],
    ['failed', 'failure', 'failure'],
    ['failed', 'cancelled', 'error'],
    ['rolled_back', 'failure', 'inactive'],
  ] as const)('writes %s (%s) as GitHub %s', (status, cause, state) => {
    expect(storeStateFor(status, cause)).toBe(state);
  });

  it('describes rolled back with its reason and reads the reason back', () => {
    expect(statusDescription('rolled_back', 'p99 612ms > 500ms')).toBe('Rolled back: p99 612ms > 500ms');
    expect(statusDescription('rolled_back', null)).toBe('Rolled back');
    const long = statusDescription('rolled_back', 'r'.repeat(140));
    expect([...long]).toHaveLength(140);
    expect(long.startsWith('Rolled back: rrr')).toBe(true);
    expect(reasonFrom('rolled_back', 'Rolled back: p99 612ms > 500ms')).toBe('p99 612ms > 500ms');
    expect(reasonFrom('rolled_back', 'Rolled back')).toBeNull();
    expect(statusDescription('failed', null, 'cancelled')).toBe('Cancelled');
    expect(reasonFrom('succeeded', statusDescription('succeeded', null))).toBeNull();
    expect(reasonFrom('failed', 'Cancelled')).toBeNull();
    expect(reasonFrom('failed', 'gate breached')).toBe('gate breached');
  });

  it('parses the status input and names what is allowed', () => {
    expect(parseRecordableStatus('status', ' rolled_back ')).toBe('rolled_back');
    expect(() => parseRecordableStatus('status', 'success')).toThrow(
      "Input 'status' must be one of in_progress, succeeded, failed, rolled_back, got 'success'",
    );
  });
});

const status = (id: number, state: StoreState, description = ''): StoredStatus => ({
  id,
  state,
  description,
  createdAt: START + id * 1000,
  logUrl: '',
  environmentUrl: '',
});

describe('outcomeOf', () => {
  it.each([
    [[], 'pending'],
    [[status(1, 'queued')], 'pending'],
    [[status(1, 'in_progress')], 'in_progress'],
    [[status(1, 'in_progress'), status(2, 'success')], 'succeeded'],
    [[status(1, 'in_progress'), status(2, 'success'), status(3, 'inactive')], 'succeeded'],
    [[status(1, 'in_progress'), status(2, 'error', 'Cancelled')], 'failed'],
    [[status(1, 'in_progress'), status(2, 'failure')], 'failed'],
    [[status(1, 'in_progress'), status(2, 'inactive', 'Rolled back: x')], 'rolled_back'],
    [[status(3, 'success'), status(2, 'failure'), status(1, 'in_progress')], 'failed'],
  ] as const)('reads %j as %s', (statuses, expected) => {
    expect(outcomeOf(statuses).status).toBe(expected);
  });

  it('reports when and why it ended', () => {
    const outcome = outcomeOf([
      status(1, 'in_progress'),
      status(2, 'inactive', 'Rolled back: error rate 3%'),
    ]);
    expect(outcome).toMatchObject({ completedAt: START + 2000, reason: 'error rate 3%' });
  });
});

describe('limitDescription', () => {
  it('keeps 140 characters and cuts longer text with an ellipsis', () => {
    expect(limitDescription('x'.repeat(140))).toEqual({ text: 'x'.repeat(140), truncated: false });
    const cut = limitDescription('y'.repeat(141));
    expect(cut.truncated).toBe(true);
    expect([...cut.text]).toHaveLength(140);
    expect(cut.text.endsWith('…')).toBe(true);
  });

  it('counts characters, not UTF-16 units, and flattens lines', () => {
    expect(limitDescription('🚀'.repeat(140)).truncated).toBe(false);
    expect(limitDescription('a\n  b').text).toBe('a b');
  });
});

describe('canary traces', () => {
  const bake = (windows: unknown[]) => ({ period: '60s', gates: {}, windows, decision: 'promote' });
  const runTrace = JSON.stringify({
    strategy: 'canary',
    decision: 'rollback',
    status: 'rolled-back',
    reason: 'max-error-rate breached at 25%: canary 5xx 3.1% > 1%',
    cancelled: false,
    steps: [
      { step: { kind: 'shift', weight: 5 }, outcome: 'done', retries: [] },
      {
        step: { kind: 'bake' },
        health: bake([{ canary: { requests: 100, errors: 0, p99: 200 }, baseline: null }]),
        retries: [],
      },
      { step: { kind: 'shift', weight: 25 }, outcome: 'done', retries: [] },
      {
        step: { kind: 'bake' },
        health: bake([{ canary: { requests: 100, errors: 6, p99: 650 }, baseline: null }]),
        retries: [],
      },
    ],
    rollback: null,
  });

  it("joins a run-plan trace's bakes window after window and reads its reason", () => {
    const trace = parseCanaryTrace('trace', runTrace);
    expect(trace?.windows).toHaveLength(2);
    expect(runTraceReason(runTrace)).toBe('max-error-rate breached at 25%: canary 5xx 3.1% > 1%');
  });

  it('reads a bake-and-gate trace as it is, and has no run reason', () => {
    const text = JSON.stringify(bake([{ canary: { requests: 10, errors: 1, p99: 100 }, baseline: null }]));
    expect(parseCanaryTrace('trace', text)?.windows).toHaveLength(1);
    expect(runTraceReason(text)).toBeNull();
  });

  it('is null for a run without a bake, and refuses a broken bake trace naming where', () => {
    expect(
      parseCanaryTrace(
        'trace',
        JSON.stringify({ steps: [{ step: { kind: 'shift', weight: 100 } }], reason: 'done' }),
      ),
    ).toBeNull();
    expect(() =>
      parseCanaryTrace('trace', JSON.stringify({ steps: [{ health: { period: '1m', windows: 'x' } }] })),
    ).toThrow("Trace input 'trace' steps[0].health is invalid: 'windows' must be a list, got \"x\"");
  });

  it('computes the figures: target from the plan, current from the weights, worst p99', () => {
    const trace = parseCanaryTrace('trace', runTrace)!;
    const state = {
      ...createRolloutState({
        strategy: 'canary',
        parameters: {},
        plan: [
          { kind: 'shift', weight: 5 },
          { kind: 'shift', weight: 25 },
        ],
        now: new Date(START),
      }),
      weights: { stable: 100, canary: 0 },
    };
    expect(canaryFromTrace(trace, state, START)).toEqual({
      'target-traffic-percent': 25,
      'current-traffic-percent': 0,
      'error-rate': 3,
      'latency-p99': 650,
      'created-at': START,
    });
  });
});
