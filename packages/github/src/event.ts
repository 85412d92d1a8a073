import { readFileSync } from 'node:fs';
import type { EventFacts } from '@shiftgate/core';

/** The raw event as the runner hands it over. */
export interface RunnerEvent {
  name: string;
  payload: Record<string, unknown>;
}

/**
 * Reads GITHUB_EVENT_NAME and the JSON at GITHUB_EVENT_PATH. A missing path is an empty payload (as for
 * a local run); an unreadable or invalid file is an error naming the path.
 */
export function readRunnerEvent(env: Record<string, string | undefined> = process.env): RunnerEvent {
  const name = env.GITHUB_EVENT_NAME ?? '';
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return { name, payload: {} };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `Reading the event payload GITHUB_EVENT_PATH=${path} failed: ${(error as Error).message}`,
    );
  }
  try {
    const payload = JSON.parse(text) as unknown;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw new Error('not a JSON object');
    return { name, payload: payload as Record<string, unknown> };
  } catch (error) {
    throw new Error(`The event payload at GITHUB_EVENT_PATH is not valid JSON: ${(error as Error).message}`);
  }
}

const get = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>(
    (node, key) =>
      typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined,
    value,
  );
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Reduces an event payload to the facts strategy selection needs. */
export function eventFacts(event: RunnerEvent): EventFacts {
  const pr = get(event.payload, 'pull_request');
  const labels = get(pr, 'labels');
  return {
    name: event.name,
    dispatchStrategy:
      event.name === 'workflow_dispatch' ? str(get(event.payload, 'inputs', 'strategy')) : null,
    sender: str(get(event.payload, 'sender', 'login')),
    action: str(get(event.payload, 'action')),
    addedLabel:
      str(get(event.payload, 'action')) === 'labeled' ? str(get(event.payload, 'label', 'name')) : null,
    pullRequest:
      typeof pr === 'object' && pr !== null
        ? {
            number: typeof get(pr, 'number') === 'number' ? (get(pr, 'number') as number) : 0,
            labels: Array.isArray(labels)
              ? labels.map((l) => str(get(l, 'name'))).filter((l): l is string => l !== null)
              : [],
            headRepository: str(get(pr, 'head', 'repo', 'full_name')),
            baseRepository:
              str(get(pr, 'base', 'repo', 'full_name')) ??
              str(get(event.payload, 'repository', 'full_name')) ??
              '',
          }
        : null,
  };
}
