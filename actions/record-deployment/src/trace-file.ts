import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { errorMessage, joinRunTraces, MAX_TRACE_PARTS, type TracePart } from '@shiftgate/core';
import { log } from '@shiftgate/github';

/** The largest earlier trace read for a join (the dashboard reads traces up to 8 MiB). */
const PART_LIMIT = 8 * 1024 * 1024;

/**
 * Saves the run's trace as `<dir>/<deployment-id>.json` for the dashboard (a workflow uploads it as an
 * artifact), and sets the `trace-file` output. Earlier traces of the same deployment found in `dir` as
 * `<deployment-id>.part-<n>.json` (the per-region chain's paused region jobs leave theirs there) are joined
 * before it, in the order of n, so the saved file is the whole rollout's. The outcome is already recorded,
 * so a failure here is a warning.
 */
export async function saveTrace(dir: string, deploymentId: number, text: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const parts = await earlierParts(dir, deploymentId);
    const joined = joinRunTraces(parts, text);
    for (const problem of joined.problems)
      log.warning(`Joining the earlier traces of deployment ${deploymentId}: ${problem}`);
    if (parts.length > 0 && joined.text !== text)
      log.info(`Joined ${parts.length} earlier trace(s) of deployment ${deploymentId} before this run's`);
    const file = join(dir, `${deploymentId}.json`);
    await writeFile(file, joined.text);
    core.setOutput('trace-file', file);
  } catch (error) {
    log.warning(
      `Saving the trace for the dashboard failed: ${errorMessage(error)} (the outcome is recorded all the same)`,
    );
  }
}

/** The `<deployment-id>.part-<n>.json` files in `dir`, in the order of n. */
async function earlierParts(dir: string, deploymentId: number): Promise<TracePart[]> {
  const pattern = new RegExp(`^${deploymentId}\\.part-([1-9]\\d{0,2})\\.json$`);
  const found = (await readdir(dir))
    .map((name) => ({ name, match: pattern.exec(name) }))
    .filter((entry) => entry.match !== null)
    .map((entry) => ({ name: entry.name, n: Number(entry.match![1]) }))
    .sort((a, b) => a.n - b.n)
    .slice(0, MAX_TRACE_PARTS + 1);
  const parts: TracePart[] = [];
  for (const { name } of found) {
    const path = join(dir, name);
    const text = await readFile(path, 'utf8');
    if (text.length > PART_LIMIT) {
      log.warning(`The earlier trace ${name} is over ${PART_LIMIT} bytes and is not joined`);
      continue;
    }
    parts.push({ name, text });
  }
  return parts;
}
