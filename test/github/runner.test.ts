import { describe, expect, it } from 'vitest';
import { parseRestoreState, runBash, withCancelSignals } from '@shiftgate/github';

const pair = { stable: 'tg/blue', canary: 'tg/green' };
const client = { region: 'eu-west-1', 'retry-mode': 'standard', 'max-attempts': 5 };
const record = { version: 1, pair, routes: [] };

describe('parseRestoreState', () => {
  it('reads the client settings next to core record', () => {
    expect(parseRestoreState(JSON.stringify({ version: 1, client, record }))).toEqual({
      client: { region: 'eu-west-1', retryMode: 'standard', maxAttempts: 5 },
      record,
    });
  });

  it.each([
    ['{', 'not JSON'],
    ['{"version":2}', 'unknown version'],
    [
      JSON.stringify({ version: 1, client: { ...client, 'retry-mode': 'legacy' }, record }),
      'no AWS settings',
    ],
    [JSON.stringify({ version: 1, client, record: { version: 1, pair: {} } }), 'no target groups'],
  ])('refuses %j rather than guess', (text, why) => {
    expect(() => parseRestoreState(text)).toThrow(`the state saved by the main step is unreadable (${why})`);
  });
});

describe('withCancelSignals', () => {
  it('aborts on SIGTERM, says which signal, and removes its handlers after', async () => {
    const before = process.listenerCount('SIGTERM');
    const seen: string[] = [];
    const aborted = await withCancelSignals(
      async (signal) => {
        expect(process.listenerCount('SIGTERM')).toBe(before + 1);
        process.emit('SIGTERM', 'SIGTERM');
        return signal.aborted;
      },
      { onSignal: (name) => seen.push(name) },
    );
    expect(aborted).toBe(true);
    expect(seen).toEqual(['SIGTERM']);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('passes a given signal on and installs no handler', async () => {
    const before = process.listenerCount('SIGINT');
    const given = new AbortController().signal;
    await withCancelSignals(
      async (signal) => {
        expect(signal).toBe(given);
        expect(process.listenerCount('SIGINT')).toBe(before);
      },
      { signal: given },
    );
  });
});

describe('runBash', () => {
  it('resolves to the exit code with the extra variables set, output passed on', async () => {
    let out = '';
    const code = await runBash('echo "$GREETING"; exit 3', {
      env: { GREETING: 'hello' },
      output: (chunk) => (out += chunk),
    });
    expect(code).toBe(3);
    expect(out).toBe('hello\n');
  });

  it('counts a command that cannot start as 127, never a pass', async () => {
    const why: string[] = [];
    const code = await runBash('true', {
      cwd: '/nonexistent/dir',
      output: () => {},
      onStartError: (m) => why.push(m),
    });
    expect(code).toBe(127);
    expect(why).toHaveLength(1);
  });
});
