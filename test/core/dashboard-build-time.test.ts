// What the dashboard reads beyond the window's deployments: the last good version among older
// deployments (used for nothing else), and who approved, read at build time for records that do not say.
import { describe, expect, it } from 'vitest';
import { buildDashboard, renderSite, type StoredDeployment } from '@shiftgate/core';
import { FIXTURE_NOW, FIXTURE_WINDOW_MS, fixtureStored } from './records-fixture';

const stored = fixtureStored(); // newest first; v1.0.0 (1001) started before the window
const failedOnly = (d: StoredDeployment): StoredDeployment => ({
  ...d,
  statuses: d.statuses.map((s) => (s.state === 'success' ? { ...s, state: 'failure' } : s)),
});
const build = (over: Partial<Parameters<typeof buildDashboard>[0]>) =>
  buildDashboard({
    repository: 'acme/shop',
    deployments: stored.filter((d) => d.id !== 1001).map(failedOnly),
    commitTimes: new Map(),
    traces: new Map(),
    now: FIXTURE_NOW,
    sinceMs: FIXTURE_WINDOW_MS,
    environments: null,
    ...over,
  });
const file = (site: ReturnType<typeof renderSite>, path: string) =>
  site.find((f) => f.path === path)?.content;

describe('the last good version beyond the window', () => {
  it('comes from the older deployments when the window has none, and they enter nothing else', () => {
    const older = stored.find((d) => d.id === 1001)!;
    const plain = build({}).environments[0]!;
    const dashboard = build({
      lastGoodBeyond: new Map([['production', { deployment: older, searched: 1, exhausted: false }]]),
    });
    const env = dashboard.environments[0]!;
    expect(env.lastGood).toMatchObject({ 'deployment-id': 1001, version: 'v1.0.0' });
    expect(env.lastGoodBeforeWindow).toBe(true);
    expect(env.lastGoodSearched).toBeNull();
    // Not in the DORA figures, the weeks, the timeline or the pages.
    expect(env.dora).toEqual(plain.dora);
    expect(env.weeks).toEqual(plain.weeks);
    expect(env.deployments.map((d) => d.entry['deployment-id'])).not.toContain(1001);
    const site = renderSite(dashboard);
    expect(file(site, 'deployments/1001.html')).toBeUndefined();
    const index = file(site, 'index.html')!;
    expect(index).toContain(
      '<p data-last-good>v1.0.0</p><p class="note">succeeded 2025-12-20 10:20 UTC, before the window (deployment 1001)</p>',
    );
    expect(index).not.toContain('deployments/1001.html');
  });

  it('says how many deployments were looked at when the search stopped at its bound', () => {
    const dashboard = build({
      lastGoodBeyond: new Map([['production', { deployment: null, searched: 1000, exhausted: false }]]),
    });
    expect(dashboard.environments[0]!.lastGoodSearched).toBe(1008);
    expect(file(renderSite(dashboard), 'index.html')).toContain(
      '<p data-last-good-searched="1008">None in the newest 1008 deployments.</p>',
    );
  });

  it('says there is none when every deployment was looked at', () => {
    const dashboard = build({
      lastGoodBeyond: new Map([['production', { deployment: null, searched: 3, exhausted: true }]]),
    });
    expect(file(renderSite(dashboard), 'index.html')).toContain('<p>No successful deployment.</p>');
  });
});

describe('who approved, read at build time', () => {
  const HOSTILE = '<script>alert(1)</script>';
  it('shows the reviews read at build time, says so, and escapes them', () => {
    const dashboard = build({
      approvalsAtBuild: new Map([
        [
          1008,
          {
            approvals: [
              { reviewer: 'octo-lead', state: 'approved', environments: ['production'], comment: HOSTILE },
            ],
          },
        ],
        [1007, { approvals: null, why: `could not be read ${HOSTILE}` }],
      ]),
      approvalsNote: 'Who approved could not be read when this page was built.',
    });
    const site = renderSite(dashboard);
    const read = file(site, 'deployments/1008.html')!;
    expect(read).toContain(
      'octo-lead (approved: “&lt;script&gt;alert(1)&lt;/script&gt;”) <span class="note" data-approvals-at-build>(read from GitHub when this page was built: the record did not say)</span>',
    );
    const unknown = file(site, 'deployments/1007.html')!;
    expect(unknown).toContain('not recorded; could not be read &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(unknown).toContain('<p class="note">Who approved could not be read when this page was built.</p>');
    expect(unknown).not.toContain('<script>');
    expect(file(site, 'deployments/1006.html')).toContain('<dt>Approved by</dt><dd>not recorded</dd>');
  });
});
