import { describe, expect, it } from 'vitest';
import { addRestorePlans, parseRestoreRecord, putBackNotice, type RoutePlan } from '@shiftgate/core';

const pair = {
  stable: 'arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/blue/1',
  canary: 'arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/green/2',
};
const settings = { pair };
const tg = (stable: number, canary: number) => [
  { 'target-group-arn': pair.stable, weight: stable },
  { 'target-group-arn': pair.canary, weight: canary },
];
const plan = (route: string, before: ReturnType<typeof tg>, writes: ReturnType<typeof tg>[]) =>
  ({ route, before, writes }) as unknown as RoutePlan;

describe('the restore record', () => {
  it('keeps what a route held before the first shift and accumulates every write after it', () => {
    let record = addRestorePlans(null, settings, [
      plan('L1', tg(100, 0), [tg(95, 5)]),
      plan('L2', tg(100, 0), []),
    ]);
    record = addRestorePlans(record, settings, [plan('L1', tg(95, 5), [tg(75, 25)])]);
    expect(record.routes).toEqual([{ route: 'L1', before: tg(100, 0), writes: [tg(95, 5), tg(75, 25)] }]);
    expect(parseRestoreRecord(JSON.stringify(record))).toEqual(record);
  });

  it.each([
    ['{', 'not JSON'],
    ['{"version":2}', 'unknown version'],
    [JSON.stringify({ version: 1, pair: {} }), 'no target groups'],
    [JSON.stringify({ version: 1, pair, routes: [{ route: 'L1' }] }), 'no routes'],
  ])('refuses a malformed record %j rather than guess', (text, why) => {
    expect(() => parseRestoreRecord(text)).toThrow(
      `the state saved by the main step is unreadable (${why}); check the listeners and rules by hand`,
    );
  });

  it('says what was put back and what was left alone', () => {
    const changed = { route: 'L1', before: tg(95, 5), after: tg(100, 0), changed: true };
    expect(putBackNotice({ results: [changed], left: [] }, 'the job failed')).toBe(
      'Put back the weights of 1 route (verified) because the job failed.',
    );
    expect(putBackNotice({ results: [], left: ['L2'] }, 'x')).toBe(
      'No route needed putting back; 1 changed by someone else was left alone.',
    );
  });
});
