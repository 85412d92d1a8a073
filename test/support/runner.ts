// Runs an action the way the GitHub runner does: INPUT_* variables, GITHUB_OUTPUT / GITHUB_STATE /
// GITHUB_STEP_SUMMARY files, the event payload at GITHUB_EVENT_PATH, and STATE_* for post steps.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve, sep } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

let binaries: Array<{ name: string; path: string }> | undefined;

/**
 * Node binaries the bundles must work on, one per major version: the machine's node (found on PATH outside
 * node_modules/.bin, or as npm's own node) and the node 24 that runners use (the `node` dev dependency).
 * Under `npm test` the first `node` on PATH is that node 24, so process.execPath alone would test one.
 */
export function nodeBinaries(): Array<{ name: string; path: string }> {
  if (binaries) return binaries;
  const candidates = [
    process.env.npm_node_execpath,
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => dir !== '' && !dir.includes(`node_modules${sep}.bin`))
      .map((dir) => join(dir, 'node')),
    process.execPath,
    join(ROOT, 'node_modules', 'node', 'bin', 'node'),
  ];
  const byMajor = new Map<string, { name: string; path: string }>();
  for (const path of candidates) {
    if (!path || !existsSync(path)) continue;
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '');
    const major = version.split('.')[0];
    if (major && !byMajor.has(major)) byMajor.set(major, { name: `node ${version}`, path });
  }
  binaries = [...byMajor.values()];
  return binaries;
}

/** Parses a GITHUB_OUTPUT or GITHUB_STATE file (`name<<delimiter` blocks, or `name=value` lines). */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      out[name] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}

/** Environment variables for `inputs`, named as the runner names them. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]),
  );
}

/** Files the runner provides to one step. */
export interface StepFiles {
  dir: string;
  output: string;
  state: string;
  summary: string;
  event: string;
  env: Record<string, string>;
  outputs(): Record<string, string>;
  savedState(): Record<string, string>;
  summaryText(): string;
  cleanup(): void;
}

/** Creates the per-step files in a temporary folder, with the event payload written to GITHUB_EVENT_PATH. */
export function stepFiles(
  options: { eventName?: string; event?: unknown; repository?: string } = {},
): StepFiles {
  const dir = mkdtempSync(join(tmpdir(), 'shiftgate-step-'));
  const files = {
    output: join(dir, 'output'),
    state: join(dir, 'state'),
    summary: join(dir, 'summary.md'),
    event: join(dir, 'event.json'),
  };
  for (const file of [files.output, files.state, files.summary]) writeFileSync(file, '');
  writeFileSync(files.event, JSON.stringify(options.event ?? {}));
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  return {
    dir,
    ...files,
    env: {
      GITHUB_OUTPUT: files.output,
      GITHUB_STATE: files.state,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_EVENT_PATH: files.event,
      GITHUB_EVENT_NAME: options.eventName ?? 'workflow_dispatch',
      GITHUB_REPOSITORY: options.repository ?? 'acme/shop',
      GITHUB_WORKSPACE: dir,
      GITHUB_ACTIONS: 'true',
      RUNNER_TEMP: dir,
    },
    outputs: () => parseCommandFile(read(files.output)),
    savedState: () => parseCommandFile(read(files.state)),
    summaryText: () => read(files.summary),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What a bundle run left behind. */
export interface BundleRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `dist/<action>/<entry>.js` with `node` in a clean environment (PATH, HOME and what is given only),
 * as the runner does. Resolves when the process exits.
 */
export function runBundle(options: {
  action: string;
  entry?: 'index' | 'post';
  node?: string;
  env: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  /** Called once the process started, e.g. to kill it mid-run. */
  onSpawn?: (child: ChildProcess) => void;
}): Promise<BundleRun> {
  const script = join(ROOT, 'dist', options.action, `${options.entry ?? 'index'}.js`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.node ?? process.execPath, [script], {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** The messages of workflow commands such as `::error::` in a step's stdout, decoded as the runner decodes them. */
export function commandMessages(stdout: string, command: 'error' | 'warning' | 'notice' | 'debug'): string[] {
  const prefix = new RegExp(`^::${command}(?: [^:]*)?::`);
  return stdout
    .split('\n')
    .filter((line) => prefix.test(line))
    .map((line) => line.replace(prefix, '').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'));
}

/**
 * A step's stderr without the AWS SDK's notice on node 20 (its releases from 2027 need node 22), which the
 * runners' node 24 never prints. Anything else on stderr is a defect.
 */
export function stderrWithoutSdkNotice(stderr: string): string {
  return stderr.replace(
    /\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?--trace-warnings \.\.\.` to show where the warning was created\)\n/,
    '',
  );
}
