// The real Prometheus for test/prometheus: the distribution's `prometheus` and `promtool` binaries, fed
// the simulator's deterministic series through `promtool tsdb create-blocks-from openmetrics`, started on
// a free loopback port and always stopped (afterAll, and on exit). Without the binaries the suites skip
// and one line says how to install them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { simulatorOpenMetrics, type OpenMetricsOptions, type OpenMetricsService } from '@shiftgate/cli';

/** Where a binary is on PATH, or null. */
function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, name);
    if (dir && existsSync(path)) return path;
  }
  return null;
}

export const PROMETHEUS = which('prometheus');
export const PROMTOOL = which('promtool');
/** True when the real-Prometheus tests can run. */
export const HAVE_PROMETHEUS = PROMETHEUS !== null && PROMTOOL !== null;

/** The one line a machine without the binaries prints (once per run: the first suite that skips). */
export const SKIP_LINE =
  'real-Prometheus tests did NOT run: prometheus/promtool are not on PATH (install them with `sudo apt-get install -y prometheus`, as .ci/run does); the loopback tests of the same source ran.';

let warned = false;
/** Prints {@link SKIP_LINE} once, where vitest shows it. */
export function warnSkipped(): void {
  if (HAVE_PROMETHEUS || warned) return;
  warned = true;
  process.stderr.write(`\n${SKIP_LINE}\n`);
}

const MIN = 60_000;
/** The fixture's first minute: the start of the hour four hours ago (the TSDB keeps it: retention 100y). */
export const FIXTURE_START = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 4 * 3_600_000;
export const FIXTURE_MINUTES = 60;
/** The minute the regression begins in the `regress` service. */
export const REGRESSION_AT = 20;

/** The fixture services: a healthy canary, a step regression from minute 20, and a low-traffic one. */
export const FIXTURE_SERVICES: OpenMetricsService[] = [
  { seed: 1, scenario: 'healthy', share: 10, canary: 'healthy-canary', baseline: 'healthy-stable' },
  {
    seed: 2,
    scenario: 'step-regression',
    at: REGRESSION_AT,
    share: 10,
    canary: 'regress-canary',
    baseline: 'regress-stable',
  },
];

/** The fixture minute `m` as epoch ms. */
export const minute = (m: number): number => FIXTURE_START + m * MIN;

/** A running Prometheus over the fixture. */
export interface RealPrometheus {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Writes the fixture's blocks (by default the one above) and starts Prometheus on them; resolves once it answers ready. */
export async function startPrometheus(
  fixture: OpenMetricsOptions = {
    start: FIXTURE_START,
    minutes: FIXTURE_MINUTES,
    services: FIXTURE_SERVICES,
  },
): Promise<RealPrometheus> {
  if (!PROMETHEUS || !PROMTOOL) throw new Error(SKIP_LINE);
  const dir = mkdtempSync(join(tmpdir(), 'shiftgate-prometheus-'));
  const input = join(dir, 'fixture.om');
  writeFileSync(input, simulatorOpenMetrics(fixture));
  const data = join(dir, 'data');
  const created = spawnSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', input, data], {
    encoding: 'utf8',
  });
  if (created.status !== 0)
    throw new Error(`promtool create-blocks-from openmetrics failed: ${created.stderr || created.stdout}`);
  writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
  const port = await freePort();
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`prometheus did not become ready on ${url}: ${log}`);
}
