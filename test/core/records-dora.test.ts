import {
  computeDora,
  formatFrequency,
  formatSpan,
  historyEntry,
  lastGood,
  parseHistoryLimit,
  renderHistoryMarkdown,
  renderHistoryText,
  hasControlCharacters,
  silentLogger,
  type HistoryEntry,
  type StoredDeployment,
} from '@shiftgate/core';
import { describe, expect, it } from 'vitest';
import { EXPECTED_DORA, FIXTURE, FIXTURE_NOW, FIXTURE_WINDOW_MS, fixtureStored } from './records-fixture';

const H = 3_600_000;
const M = 60_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** A history entry at hour offsets from T0 (started, completed), for small hand-computed cases. */
function entry(
  id: number,
  status: HistoryEntry['status'],
  started: number,
  completed: number | null,
  commit: number | null = null,
): HistoryEntry {
  return {
    'deployment-id': id,
    environment: 'production',
    ref: 'main',
    sha: 'a'.repeat(40),
    version: `v${id}`,
    strategy: 'canary',
    status,
    'started-at': T0 + started * H,
    'completed-at': completed === null ? null : T0 + completed * H,
    'duration-ms': completed === null ? null : (completed - started) * H,
    'rolled-back': status === 'rolled_back',
    reason: null,
    'commit-at': commit === null ? null : T0 + commit * H,
    'log-url': null,
    shiftgate: true,
  };
}

const day = 86_400_000;

describe('computeDora', () => {
  it('matches the hand-computed figures of the fixture history', () => {
    const entries = fixtureStored().map((d, i) =>
      historyEntry(d, Date.parse(FIXTURE[FIXTURE.length - 1 - i]!.commitAt)),
    );
    const dora = computeDora(entries, { now: FIXTURE_NOW, windowMs: FIXTURE_WINDOW_MS });
    expect(dora).toMatchObject(EXPECTED_DORA);
    expect(dora.from).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });

  it.each([
    {
      name: 'counts only deployments that started inside the window',
      entries: [entry(1, 'succeeded', -49, -48), entry(2, 'succeeded', 1, 2)],
      windowMs: 2 * day,
      now: T0 + 24 * H,
      expected: { deployments: 1, succeeded: 1, 'deployment-frequency': 0.5 },
    },
    {
      name: 'includes a deployment that started exactly at the window edge',
      entries: [entry(1, 'succeeded', -48, -47)],
      windowMs: 2 * day,
      now: T0,
      expected: { deployments: 1, succeeded: 1 },
    },
    {
      name: 'leaves unfinished deployments out of the change failure rate',
      entries: [entry(1, 'succeeded', 0, 1), entry(2, 'failed', 2, 3), entry(3, 'in_progress', 4, null)],
      windowMs: day,
      now: T0 + 10 * H,
      expected: { 'change-failure-rate': 50, unfinished: 1 },
    },
    {
      name: 'has no change failure rate without a finished deployment',
      entries: [entry(1, 'in_progress', 0, null)],
      windowMs: day,
      now: T0 + 10 * H,
      expected: { 'change-failure-rate': null, 'time-to-restore-ms': null, 'lead-time-ms': null },
    },
    {
      name: 'measures a run of failures as one incident from its first failure to the next success',
      entries: [entry(1, 'failed', 0, 1), entry(2, 'rolled_back', 2, 3), entry(3, 'succeeded', 4, 6)],
      windowMs: day,
      now: T0 + 10 * H,
      expected: { 'time-to-restore-ms': 5 * H, 'restored-incidents': 1, 'open-incidents': 0 },
    },
    {
      name: 'counts an incident with no success after it as open',
      entries: [entry(1, 'succeeded', 0, 1), entry(2, 'rolled_back', 2, 3)],
      windowMs: day,
      now: T0 + 10 * H,
      expected: { 'time-to-restore-ms': null, 'restored-incidents': 0, 'open-incidents': 1 },
    },
    {
      name: 'finds the restoring success after the window ends',
      entries: [entry(1, 'failed', 0, 1), entry(2, 'succeeded', 30, 31)],
      windowMs: day,
      now: T0 + 24 * H,
      expected: { 'time-to-restore-ms': 30 * H, 'restored-incidents': 1 },
    },
    {
      name: 'takes the median lead time of successes with a known commit time',
      entries: [
        entry(1, 'succeeded', 1, 2, 0),
        entry(2, 'succeeded', 3, 4, 1),
        entry(3, 'succeeded', 5, 10, 4),
        entry(4, 'failed', 11, 12, 0),
        entry(5, 'succeeded', 13, 14, null),
      ],
      windowMs: day,
      now: T0 + 20 * H,
      expected: { 'lead-time-ms': 3 * H, 'lead-time-samples': 3, 'change-failure-rate': 20 },
    },
  ])('$name', ({ entries, windowMs, now, expected }) => {
    expect(computeDora(entries, { now, windowMs })).toMatchObject(expected);
  });
});

describe('historyEntry', () => {
  it('reads the outcome from the first terminal status, not GitHub auto_inactive', () => {
    const [, , , , , , , v110] = fixtureStored();
    expect(v110!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success', 'inactive']);
    const e = historyEntry(v110!, null);
    expect(e.status).toBe('succeeded');
    expect(e['duration-ms']).toBe(15 * M);
    expect(e.version).toBe('v1.1.0');
    expect(e.shiftgate).toBe(true);
  });

  it('reads a rolled-back deployment with its reason', () => {
    const v121 = fixtureStored().find((d) => d.id === 1004)!;
    const e = historyEntry(v121, null);
    expect(e).toMatchObject({
      status: 'rolled_back',
      'rolled-back': true,
      reason: 'error rate 3.2% > max-error-rate 1%',
    });
    expect(e['duration-ms']).toBe(25 * M);
  });

  it('keeps deployments other tools created, named by their ref', () => {
    const foreign = { ...fixtureStored()[0]!, payload: { anything: true }, ref: 'release-7' };
    const e = historyEntry(foreign, null);
    expect(e).toMatchObject({ shiftgate: false, version: 'release-7', status: 'in_progress' });
  });
});

describe('lastGood', () => {
  it('returns the newest successful deployment', () => {
    const good = lastGood(fixtureStored());
    expect(good).toMatchObject({
      'deployment-id': 1008,
      version: 'v1.4.1',
      'completed-at': Date.parse('2026-01-25T18:12:00Z'),
    });
  });

  it('returns null when nothing succeeded', () => {
    expect(lastGood(fixtureStored().filter((d) => [1003, 1004, 1009].includes(d.id)))).toBeNull();
  });

  // Anyone with `deployments: write` can write a payload: last-good outputs only validated values.
  const poisoned = (change: (d: StoredDeployment) => void): StoredDeployment[] =>
    fixtureStored().map((d) => {
      if (d.id !== 1008) return d;
      const copy = JSON.parse(JSON.stringify(d)) as StoredDeployment;
      change(copy);
      return copy;
    });
  const payloadOf = (d: StoredDeployment) => d.payload as { version: string; record: { version: string } };
  const next = () => lastGood(fixtureStored().filter((d) => d.id !== 1008))!;

  it.each([
    [
      'a version with a newline and a workflow command',
      (d: StoredDeployment) => {
        payloadOf(d).version = payloadOf(d).record.version = 'v1\n::warning::x';
      },
      "is not a shiftgate deployment record: 'version' must be a version of 1 to 256",
    ],
    [
      'a version with HTML and a Markdown link',
      (d: StoredDeployment) => {
        payloadOf(d).version = payloadOf(d).record.version = 'v1<img src=x>[Approve](https://x)';
      },
      "'version' must be a version",
    ],
    [
      'an environment with ESC',
      (d: StoredDeployment) => {
        d.environment = 'production\u001b[2J';
      },
      'its environment must be an environment name',
    ],
    [
      'a ref a command line reads as an option',
      (d: StoredDeployment) => {
        d.ref = '--upload-pack=touch /tmp/x';
      },
      'its ref must be a branch, tag or commit sha',
    ],
    [
      'a payload that claims to be shiftgate and is malformed',
      (d: StoredDeployment) => {
        (d.payload as Record<string, unknown>)['schema-version'] = 9;
      },
      'is not a shiftgate deployment payload',
    ],
  ])('passes over a newest success with %s, with a warning naming it', (_what, change, problem) => {
    const warnings: string[] = [];
    const good = lastGood(poisoned(change), { ...silentLogger, warning: (m) => warnings.push(m) });
    expect(good).toEqual(next());
    expect(good!['deployment-id']).not.toBe(1008);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('last-good passes over deployment 1008: ');
    expect(warnings[0]).toContain(problem);
    expect(hasControlCharacters(warnings[0]!)).toBe(false);
  });
});

describe('formatting', () => {
  it.each([
    [0, '0ms'],
    [999, '999ms'],
    [1000, '1s'],
    [45_000, '45s'],
    [61_000, '1m 1s'],
    [62.5 * M, '1h 2m'],
    [106 * M, '1h 46m'],
    [26 * H, '1d 2h'],
    [3 * H, '3h'],
  ])('formatSpan(%d) is %s', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });

  it.each([
    [3.5, '3.5 per day'],
    [1, '1 per day'],
    [0.5, '3.5 per week'],
    [0.133, '0.93 per week'],
    [0.02, '0.6 per month'],
  ])('formatFrequency(%d) is %s', (perDay, text) => {
    expect(formatFrequency(perDay)).toBe(text);
  });

  it('renders aligned text and Markdown tables', () => {
    const entries = fixtureStored().map((d) => historyEntry(d, null));
    const dora = computeDora(entries, { now: FIXTURE_NOW, windowMs: FIXTURE_WINDOW_MS });
    const text = renderHistoryText({ repo: 'acme/shop', environment: 'production', entries, dora });
    expect(text).toContain('1004  v1.2.1   rolled_back  2026-01-10 14:00  25m');
    expect(text).toMatch(/Change failure rate\s+42\.86%\s+3 of 7 finished/);
    const md = renderHistoryMarkdown({ repo: 'acme/shop', environment: 'production', entries, dora });
    expect(md).toContain('| Change failure rate | 42.86% | 3 of 7 finished (1 failed, 2 rolled back) |');
    expect(md).toContain(
      '| 1003 | v1.2.0 | failed | 2026-01-10 13:00 | 10m | 3333333 | p99 612ms &gt; max-p99-latency 500ms |',
    );
  });
});

describe('parseHistoryLimit', () => {
  it('accepts 1 to 1000 and refuses anything else', () => {
    expect(parseHistoryLimit('history-limit', '50')).toBe(50);
    expect(() => parseHistoryLimit('history-limit', '0')).toThrow(
      "Input 'history-limit' must be a whole number of deployments from 1 to 1000, got '0'",
    );
    expect(() => parseHistoryLimit('history-limit', '5e1')).toThrow(/got '5e1'/);
    expect(() => parseHistoryLimit('history-limit', '1001')).toThrow(/got '1001'/);
  });
});
