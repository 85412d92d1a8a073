// Runs the CLI bundle (`npx shiftgate dashboard`) under this machine's node and node 24 against the
// loopback GitHub fake seeded with the dashboard fixture, and checks the site it writes.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDashboardFixture, writeFixtureTraces } from '../browser/dashboard-fixture';
import { GitHubServer } from '../support/github-server';
import { nodeBinaries, ROOT } from '../support/runner';

let server: GitHubServer;
beforeAll(async () => {
  server = await GitHubServer.start({ token: 'ghp_cli' });
  seedDashboardFixture(server);
});
afterAll(() => server.close());

function shiftgate(
  node: string,
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [join(ROOT, 'packages', 'cli', 'bin', 'shiftgate.js'), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', GITHUB_TOKEN: 'ghp_cli', GITHUB_API_URL: server.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.each(nodeBinaries())('shiftgate dashboard bundle on $name', ({ path: node }) => {
  it('writes the site from GitHub Deployments, with the traces given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-dashboard-e2e-'));
    writeFixtureTraces(join(dir, 'traces'));
    const result = await shiftgate(
      node,
      [
        'dashboard',
        '--repo',
        'acme/shop',
        '--out',
        'site',
        '--traces',
        'traces',
        '--since',
        '30d',
        '--until',
        '2026-01-31T00:00:00Z',
      ],
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `Wrote 17 files for 12 deployments to 3 environments in ${join(dir, 'site')} (open index.html)\n`,
    );
    const index = readFileSync(join(dir, 'site', 'index.html'), 'utf8');
    expect(index).toContain('data-figure="change-failure-rate">42.86%<');
    expect(readFileSync(join(dir, 'site', 'deployments', '1007.html'), 'utf8')).toContain('Gate verdicts');
    expect(existsSync(join(dir, 'site', 'style.css'))).toBe(true);
  });
});
