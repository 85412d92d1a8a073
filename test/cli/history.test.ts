import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_DORA } from '../core/records-fixture';
import { cli } from '../support/cli';
import { GitHubServer } from '../support/github-server';
import { seedFixtureHistory } from './history-fixture';

let server: GitHubServer;
let env: Record<string, string>;
beforeAll(async () => {
  server = await GitHubServer.start({ token: 'ghp_cli' });
  seedFixtureHistory(server);
  env = { GITHUB_TOKEN: 'ghp_cli', GITHUB_API_URL: server.url };
});
afterAll(() => server.close());

const ARGS = [
  'history',
  '--repo',
  'acme/shop',
  '--environment',
  'production',
  '--until',
  '2026-01-31T00:00:00Z',
];

/** What `shiftgate history` prints for the fixture (newest first). Worked by hand in records-fixture.ts. */
const EXPECTED_TEXT = `Deployments of acme/shop to production (newest first, 9 shown)

ID    Version  Status       Started (UTC)     Duration  Ref      Reason
----  -------  -----------  ----------------  --------  -------  -----------------------------------
1009  v1.5.0   in_progress  2026-01-30 12:00  -         9999999
1008  v1.4.1   succeeded    2026-01-25 18:00  12m       8888888
1007  v1.4.0   rolled_back  2026-01-25 17:00  20m       7777777  canary 5xx 4.1% > max-error-rate 1%
1006  v1.3.0   succeeded    2026-01-20 10:00  30m       6666666
1005  v1.2.2   succeeded    2026-01-10 15:30  20m       5555555
1004  v1.2.1   rolled_back  2026-01-10 14:00  25m       4444444  error rate 3.2% > max-error-rate 1%
1003  v1.2.0   failed       2026-01-10 13:00  10m       3333333  p99 612ms > max-p99-latency 500ms
1002  v1.1.0   succeeded    2026-01-05 09:00  15m       2222222
1001  v1.0.0   succeeded    2025-12-20 10:00  20m       1111111

DORA over 30 days (2026-01-01 00:00 to 2026-01-31 00:00 UTC)

Figure                 Value          Detail
---------------------  -------------  -----------------------------------------
Deployment frequency   0.93 per week  4 successful in 30 days
Change failure rate    42.86%         3 of 7 finished (1 failed, 2 rolled back)
Time to restore        1h 46m         median of 2 restored incidents, 0 open
Lead time for changes  1h 2m          median of 4 deployments
`;

describe('shiftgate history', () => {
  it('prints the history and the DORA table for the fixture', async () => {
    const result = await cli(ARGS, { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(EXPECTED_TEXT);
  });

  it('prints JSON for machines, with the hand-computed figures', async () => {
    const result = await cli([...ARGS, '--json'], { env });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.repository).toBe('acme/shop');
    expect(doc.dora).toMatchObject(EXPECTED_DORA);
    expect(doc.deployments).toHaveLength(9);
    expect(doc.deployments[0]).toMatchObject({
      'deployment-id': 1009,
      status: 'in_progress',
      'completed-at': null,
    });
    expect(doc['last-good']).toMatchObject({ 'deployment-id': 1008, version: 'v1.4.1' });
  });

  it('honours --limit (the figures cover only what was read)', async () => {
    const result = await cli([...ARGS, '--limit', '3', '--json'], { env });
    const doc = JSON.parse(result.stdout);
    expect(doc.deployments.map((d: { 'deployment-id': number }) => d['deployment-id'])).toEqual([
      1009, 1008, 1007,
    ]);
    expect(doc.dora).toMatchObject({
      deployments: 3,
      succeeded: 1,
      'rolled-back': 1,
      'change-failure-rate': 50,
    });
  });

  it('prints the last good deployment', async () => {
    const result = await cli([...ARGS, '--last-good'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'Last good deployment of acme/shop to production: 1008 v1.4.1 (ref 8888888000000000000000000000000000000000, sha 8888888000000000000000000000000000000000), succeeded 2026-01-25T18:12:00.000Z\n',
    );
  });

  it.each([
    [
      ['history', '--environment', 'production'],
      "shiftgate history: missing --repo owner/name. See 'shiftgate history --help'.\n",
    ],
    [
      ['history', '--repo', 'acme', '--environment', 'production'],
      "shiftgate history: --repo must be owner/name, got 'acme'\n",
    ],
    [
      [...ARGS, '--limit', 'lots'],
      "shiftgate history: Input '--limit' must be a whole number of deployments from 1 to 1000, got 'lots'\n",
    ],
    [
      [...ARGS, '--window', '30d'],
      "shiftgate history: Input '--window' must be a duration such as '90s', '5m' or '1h30m', got '30d'\n",
    ],
  ])('refuses %j with exit 2', async (argv, message) => {
    const result = await cli(argv, { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(message);
  });

  it('asks for a token, and explains a refused one', async () => {
    const missing = await cli(ARGS, { env: { GITHUB_API_URL: server.url } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('set GITHUB_TOKEN (or GH_TOKEN)');
    const wrong = await cli(ARGS, { env: { GITHUB_TOKEN: 'nope', GITHUB_API_URL: server.url } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      "shiftgate history: Listing deployments of acme/shop to production failed: the token was not accepted (GitHub answered 401 \"Bad credentials\"). Check the 'token' input (the default is the job's GITHUB_TOKEN).\n",
    );
  });
});
