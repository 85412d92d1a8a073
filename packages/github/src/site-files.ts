import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SiteFile } from '@shiftgate/core';
import { mapLimit } from './deployments';

/** The largest stored trace read (a run-plan trace of a long plan is well under this). */
const TRACE_LIMIT = 8 * 1024 * 1024;
const SITE_PATH = /^(?:index\.html|style\.css|[a-z]+\/\d+\.html)$/;

/**
 * Writes the site's files under `dir`. The paths come from core's renderer and are built from numbers
 * only; each is checked again here, so no page can be written outside `dir`.
 */
export async function writeSite(dir: string, files: readonly SiteFile[]): Promise<void> {
  for (const file of files) {
    if (!SITE_PATH.test(file.path)) throw new Error(`Refusing to write the dashboard page '${file.path}'`);
  }
  const parents = new Set(files.map((file) => dirname(join(dir, file.path))));
  for (const parent of parents) await mkdir(parent, { recursive: true });
  // Thousands of small pages: a few writes in flight at once, not one after the other.
  await mapLimit(files, 16, (file) => writeFile(join(dir, file.path), file.content));
}

/**
 * Reads the stored traces in `dir`: one file per deployment, named `<deployment-id>.json` (other files
 * are ignored). The content is returned as text, untrusted: the dashboard parses and checks it.
 */
export async function readTraceDir(dir: string): Promise<Map<number, string>> {
  const traces = new Map<number, string>();
  for (const name of await readdir(dir)) {
    const match = /^([1-9]\d{0,15})\.json$/.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    const info = await stat(path);
    if (!info.isFile()) continue;
    if (info.size > TRACE_LIMIT) {
      traces.set(Number(match[1]), `"trace file over ${TRACE_LIMIT} bytes"`);
      continue;
    }
    traces.set(Number(match[1]), await readFile(path, 'utf8'));
  }
  return traces;
}
