// Runs the committed CLI bundle (`npx shiftgate history`) under this machine's node and node 24 against
// the loopback GitHub fake seeded with the fixture history.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_DORA } from '../core/records-fixture';
import { seedFixtureHistory } from '../cli/history-fixture';
import { GitHubServer } from '../support/github-server';
import { nodeBinaries, ROOT } from '../support/runner';

let server: GitHubServer;
beforeAll(async () => {
  server = await GitHubServer.start({ token: 'ghp_cli' });
  seedFixtureHistory(server);
});
afterAll(() => server.close());

function shiftgate(
  node: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [join(ROOT, 'packages', 'cli', 'bin', 'shiftgate.js'), ...args], {
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

const ARGS = [
  'history',
  '--repo',
  'acme/shop',
  '--environment',
  'production',
  '--until',
  '2026-01-31T00:00:00Z',
];

describe.each(nodeBinaries())('shiftgate history bundle on $name', ({ path: node }) => {
  it('prints the history and DORA table from GitHub Deployments', async () => {
    const result = await shiftgate(node, ARGS);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '1004  v1.2.1   rolled_back  2026-01-10 14:00  25m       4444444  error rate 3.2% > max-error-rate 1%',
    );
    expect(result.stdout).toMatch(
      /Change failure rate\s+42\.86%\s+3 of 7 finished \(1 failed, 2 rolled back\)/,
    );
    expect(result.stdout).toMatch(/Time to restore\s+1h 46m\s+median of 2 restored incidents, 0 open/);
  });

  it('prints JSON with --json', async () => {
    const result = await shiftgate(node, [...ARGS, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).dora).toMatchObject(EXPECTED_DORA);
  });
});
