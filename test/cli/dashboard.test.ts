// `shiftgate dashboard` in-process against the loopback GitHub fake seeded with the dashboard fixture.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDashboardFixture } from '../browser/dashboard-fixture';
import { cli } from '../support/cli';
import { GitHubServer } from '../support/github-server';

let server: GitHubServer;
beforeAll(async () => {
  server = await GitHubServer.start({ token: 'ghp_cli' });
  seedDashboardFixture(server);
});
afterAll(() => server.close());

const env = () => ({ GITHUB_TOKEN: 'ghp_cli', GITHUB_API_URL: server.url });
const ARGS = ['dashboard', '--repo', 'acme/shop', '--until', '2026-01-31T00:00:00Z', '--since', '30d'];

describe('shiftgate dashboard', () => {
  it('writes the site for the environments asked for and prints where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-dashboard-'));
    const { code, stdout, stderr } = await cli([...ARGS, '--out', 'site', '--environment', 'production'], {
      cwd: dir,
      env: env(),
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      `Wrote 11 files for 8 deployments to 1 environment in ${join(dir, 'site')} (open index.html)\n`,
    );
    const index = readFileSync(join(dir, 'site', 'index.html'), 'utf8');
    expect(index).toContain('<h2 id="env-1">production</h2>');
    expect(index).not.toContain('staging');
    expect(existsSync(join(dir, 'site', 'deployments', '1010.html'))).toBe(false);
    // Only reads: nothing was written to GitHub.
    expect(server.writes()).toEqual([]);
  });

  it('prints the daily summary with --summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-dashboard-'));
    const { code, stdout } = await cli(
      [
        ...ARGS.slice(0, 3),
        '--until',
        '2026-01-26T06:00:00Z',
        '--out',
        'site',
        '--summary',
        '--url',
        'https://acme.github.io/shop/',
      ],
      { cwd: dir, env: env() },
    );
    expect(code).toBe(0);
    expect(stdout).toContain(
      '*production*: 2 deployments (1 rolled back, 1 succeeded)\n• v1.4.0 rolled back: canary 5xx 4.1% &gt; max-error-rate 1%\n• v1.4.1 succeeded\n',
    );
    expect(stdout).toContain('*staging*: no deployments\n');
    expect(stdout).toMatch(/<https:\/\/acme\.github\.io\/shop\/\|Open the dashboard>\n$/);
  });

  it('fails with GitHub’s refusal named, writing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-dashboard-'));
    const { code, stderr } = await cli([...ARGS, '--out', 'site'], {
      cwd: dir,
      env: { GITHUB_TOKEN: 'wrong', GITHUB_API_URL: server.url },
    });
    expect(code).toBe(1);
    expect(stderr).toContain('Listing deployments of acme/shop');
    expect(existsSync(join(dir, 'site'))).toBe(false);
  });

  it('explains itself with --help', async () => {
    const { code, stdout } = await cli(['dashboard', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: shiftgate dashboard --repo owner/name --out <dir>');
    expect(stdout).toContain('--since');
  });
});
