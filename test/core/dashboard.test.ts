// The dashboard's pure parts: the model (per environment, DORA over the window and per week, last good,
// open incident), the trace reader (untrusted data), the pages (every text through the one escaper),
// the daily summary and the window parser.
import { describe, expect, it } from 'vitest';
import {
  buildDashboard,
  dailySummary,
  escapeHtml,
  parseDashboardUrl,
  parseSince,
  readDeploymentTrace,
  renderSite,
  WEEK_MS,
  type StoredDeployment,
} from '@shiftgate/core';
import { EXPECTED_DORA, FIXTURE, FIXTURE_NOW, FIXTURE_WINDOW_MS, fixtureStored } from './records-fixture';

const commitTimes = new Map(FIXTURE.map((d) => [d.sha, Date.parse(d.commitAt)]));
const build = (deployments: StoredDeployment[], over: Partial<Parameters<typeof buildDashboard>[0]> = {}) =>
  buildDashboard({
    repository: 'acme/shop',
    deployments,
    commitTimes,
    traces: new Map(),
    now: FIXTURE_NOW,
    sinceMs: FIXTURE_WINDOW_MS,
    environments: null,
    ...over,
  });

describe('buildDashboard', () => {
  it('matches the hand-computed DORA figures and lists the deployments of the window, newest first', () => {
    const [production] = build(fixtureStored()).environments;
    expect(production!.dora).toMatchObject(EXPECTED_DORA);
    expect(production!.deployments.map((d) => d.entry.version)).toEqual([
      'v1.5.0',
      'v1.4.1',
      'v1.4.0',
      'v1.3.0',
      'v1.2.2',
      'v1.2.1',
      'v1.2.0',
      'v1.1.0',
    ]);
    expect(production!.last?.entry.version).toBe('v1.5.0');
    expect(production!.lastGood?.version).toBe('v1.4.1');
    expect(production!.openIncident).toBeNull();
  });

  it('counts the figures week by week, the weeks adding up to the window', () => {
    const [production] = build(fixtureStored()).environments;
    // 30 days: five weeks back from the end (the first reaches before the window).
    expect(production!.weeks).toHaveLength(5);
    expect(production!.weeks.at(-1)!.to).toBe(FIXTURE_NOW);
    expect(production!.weeks[0]!.from).toBe(FIXTURE_NOW - 5 * WEEK_MS);
    // Week by week (oldest first): v1.1.0 on 01-05; v1.2.x on 01-10; v1.3.0 on 01-20; v1.4.x and v1.5.0 after 01-24.
    expect(production!.weeks.map((w) => w.dora.succeeded)).toEqual([0, 1, 1, 1, 1]);
    expect(production!.weeks.map((w) => w.dora.deployments)).toEqual([0, 1, 3, 1, 3]);
    expect(production!.weeks.map((w) => w.dora['change-failure-rate'])).toEqual([null, 0, 66.67, 0, 50]);
  });

  it('names the open incident: the first failure after the last success', () => {
    const stored = fixtureStored();
    // Drop v1.4.1 (the success that closed the second incident): v1.4.0's rollback is open again.
    const [production] = build(stored.filter((d) => d.id !== 1008)).environments;
    expect(production!.openIncident?.entry.version).toBe('v1.4.0');
    expect(production!.dora['open-incidents']).toBe(1);
  });

  it('keeps the environments asked for, in that order, empty ones included', () => {
    const dashboard = build(fixtureStored(), { environments: ['staging', 'production'] });
    expect(dashboard.environments.map((e) => [e.name, e.deployments.length])).toEqual([
      ['staging', 0],
      ['production', 8],
    ]);
  });

  it('shows a payload that claims to be shiftgate’s and is broken as a problem, never half read', () => {
    const stored = fixtureStored();
    stored[0] = { ...stored[0]!, payload: { record: { id: 'x' } } };
    const view = build(stored).environments[0]!.deployments[0]!;
    expect(view.record).toBeNull();
    expect(view.payloadProblem).toContain('is not a shiftgate deployment payload');
  });
});

describe('readDeploymentTrace', () => {
  it.each([
    ['not JSON', '{', 'it is not JSON'],
    ['neither kind', '{"a": 1}', "expected 'steps' (a run-plan trace) or 'windows' (a bake-and-gate trace)"],
    [
      'a step kind with markup',
      '{"steps": [{"kind": "<b>", "outcome": "passed"}]}',
      "'steps[0].kind' must be a lowercase word",
    ],
    [
      'a control character',
      '{"steps": [{"kind": "shift", "outcome": "passed", "message": "a\\u001b[31m"}]}',
      "'steps[0].message' must be text",
    ],
    [
      'weights over 100',
      '{"steps": [{"kind": "shift", "outcome": "passed", "weights": {"stable": 0, "canary": 101}}]}',
      "'steps[0].weights' must be {stable, canary} in whole percent",
    ],
    [
      'a bad window',
      '{"steps": [{"kind": "bake", "outcome": "failed", "health": {"period": "1m", "gates": {}, "windows": [{"canary": {"requests": -1}}]}}]}',
      'windows[0]',
    ],
  ])('refuses %s', (_name, text, message) => {
    expect(() => readDeploymentTrace('of deployment 7', text)).toThrow(message);
  });
});

describe('the pages', () => {
  it('escape every text from GitHub and the record, so markup shows as text', () => {
    const stored = fixtureStored();
    const hostile = '<script>alert(1)</script>"\'&';
    const at = stored.findIndex((d) => d.id === 1007);
    stored[at] = {
      ...stored[at]!,
      statuses: stored[at]!.statuses.map((s) =>
        s.state === 'inactive'
          ? { ...s, description: `Rolled back: ${hostile}`, logUrl: 'javascript:alert(1)' }
          : s,
      ),
    };
    const files = renderSite(build(stored));
    const all = files.map((f) => f.content).join('\n');
    expect(all).not.toContain('<script>');
    expect(all).toContain(escapeHtml(hostile));
    expect(all).not.toContain('href="javascript:');
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['index.html', 'style.css', 'environments/1.html', 'deployments/1008.html']),
    );
  });

  it('draw one timeline mark per deployment of the window', () => {
    const index = renderSite(build(fixtureStored()))[0]!.content;
    expect(index.match(/<rect class="mark /g)).toHaveLength(8);
  });
});

describe('dailySummary', () => {
  it('lists yesterday per environment with outcomes and rollback reasons, the DORA figures and the link', () => {
    const stored = fixtureStored();
    // "Now" the day after v1.4.0 and v1.4.1 (2026-01-25).
    const text = dailySummary(build(stored, { now: Date.parse('2026-01-26T06:00:00Z') }), {
      url: 'https://acme.github.io/shop/',
    });
    expect(text.split('\n')).toEqual([
      '*Deployments of acme/shop on 2026-01-25 (UTC)*',
      '*production*: 2 deployments (1 rolled back, 1 succeeded)',
      '• v1.4.0 rolled back: canary 5xx 4.1% &gt; max-error-rate 1%',
      '• v1.4.1 succeeded',
      expect.stringMatching(
        /^DORA over 30 days: .* per week, change failure rate 42\.86%, time to restore 1h 46m, lead time /,
      ),
      '<https://acme.github.io/shop/|Open the dashboard>',
    ]);
  });
});

describe('dashboard settings', () => {
  it.each([
    ['90d', 90 * 86_400_000],
    ['1d', 86_400_000],
    ['720h', 720 * 3_600_000],
  ])('reads --since %s', (text, ms) => expect(parseSince('--since', text)).toBe(ms));

  it.each(['0d', '3651d', '90 d', '30m', 'd', '-1d', '1.5d'])('refuses --since %s', (text) => {
    expect(() => parseSince('--since', text)).toThrow(`Input '--since' must be whole days`);
  });

  it('takes only an https URL for the summary link, and none that would break a Slack link', () => {
    expect(parseDashboardUrl('dashboard-url', '')).toBeNull();
    expect(parseDashboardUrl('dashboard-url', 'https://acme.github.io/shop/')).toBe(
      'https://acme.github.io/shop/',
    );
    for (const bad of ['http://acme.github.io', 'javascript:alert(1)', 'https://x.io/a|b', 'https://x.io/>'])
      expect(() => parseDashboardUrl('dashboard-url', bad)).toThrow(
        "Input 'dashboard-url' must be an https:// URL",
      );
  });
});
