// Every field of a record and a history reaches the job summary through the escaper: the same hostile
// strings leave each table with the cells and lines it has for ordinary values.
import {
  completeRecord,
  computeDora,
  createDeploymentRecord,
  renderHistoryMarkdown,
  renderRecordMarkdown,
  type DeploymentRecord,
  type HistoryEntry,
} from '@shiftgate/core';
import { describe, it } from 'vitest';
import { expectInert } from '../support/hostile';

const START = Date.parse('2026-02-01T10:00:00Z');

const record = (over: Partial<DeploymentRecord> = {}, artifact: { type?: string; path?: string } = {}) =>
  completeRecord(
    {
      ...createDeploymentRecord({
        id: '6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
        version: 'v1.2.3',
        environment: 'production',
        strategy: 'canary',
        ref: 'main',
        startedAt: START,
        artifacts: [
          {
            id: 'a'.repeat(64),
            version: 'v1.2.3',
            'artifact-type': artifact.type ?? 'image',
            path: artifact.path ?? 'dist/image.tar',
            'file-hash': 'b'.repeat(64),
            'file-size': 42,
            'created-at': START,
          },
        ],
      }),
      ...over,
    },
    { status: 'rolled_back', at: START + 60_000, reason: over.reason ?? 'a gate failed' },
  );

describe('the record summary', () => {
  it.each([
    ['version', (text: string) => record({ version: text })],
    ['environment', (text: string) => record({ environment: text })],
    ['ref', (text: string) => record({ ref: text })],
    ['reason', (text: string) => record({ reason: text })],
    ['artifact type', (text: string) => record({}, { type: text })],
    ['artifact path', (text: string) => record({}, { path: text })],
  ])('escapes a hostile %s', (_field, make) => {
    expectInert((text) => renderRecordMarkdown({ repository: 'acme/shop', record: make(text) }));
  });

  it('escapes a hostile note and repository', () => {
    expectInert((text) => renderRecordMarkdown({ repository: text, record: record(), note: text }));
  });
});

describe('the history summary', () => {
  const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
    'deployment-id': 7,
    environment: 'production',
    ref: 'main',
    sha: 'c'.repeat(40),
    version: 'v1.2.3',
    strategy: 'canary',
    status: 'failed',
    'started-at': START,
    'completed-at': START + 60_000,
    'duration-ms': 60_000,
    'rolled-back': false,
    reason: 'p99 too high',
    'commit-at': null,
    'log-url': null,
    shiftgate: true,
    ...over,
  });
  const render = (entries: HistoryEntry[], environment = 'production', repo = 'acme/shop') =>
    renderHistoryMarkdown({
      repo,
      environment,
      entries,
      dora: computeDora(entries, { now: START + 86_400_000, windowMs: 7 * 86_400_000 }),
    });

  it.each(['version', 'ref', 'reason'] as const)('escapes a hostile %s', (field) => {
    expectInert((text) => render([entry({ [field]: text })]));
  });

  it('escapes a hostile environment and repository', () => {
    expectInert((text) => render([entry({ environment: text })], text, text));
  });
});
