import { describe, expect, it } from 'vitest';
import {
  InputError,
  formatDuration,
  formatPercent,
  parseBoolean,
  parseDuration,
  parseInteger,
  parsePercent,
  parseWeight,
  parseWeightList,
} from '@shiftgate/core';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1h', 3_600_000],
    ['2m30s', 150_000],
    ['1h0m5s', 3_605_000],
    ['250ms', 250],
    [' 5m ', 300_000],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDuration('bake-time', text)).toBe(ms);
  });

  it.each(['10x', '5 m', '-1m', '5', '1e2s', '0x10s', '1.5m', '', 'm', '30m1h', '5M', '1d'])(
    'refuses %j',
    (text) => {
      expect(() => parseDuration('bake-time', text)).toThrow(InputError);
      expect(() => parseDuration('bake-time', text)).toThrow(
        `Input 'bake-time' must be a duration such as '90s', '5m' or '1h30m', got '${text}'`,
      );
    },
  );

  it('refuses zero unless allowed', () => {
    expect(() => parseDuration('poll-interval', '0s')).toThrow("greater than zero, got '0s'");
    expect(parseDuration('metric-delay', '0s', { allowZero: true })).toBe(0);
  });

  it('enforces a minimum', () => {
    expect(() => parseDuration('poll-interval', '5s', { min: 10_000 })).toThrow('a duration of at least 10s');
    expect(parseDuration('poll-interval', '10s', { min: 10_000 })).toBe(10_000);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [90_000, '1m30s'],
    [300_000, '5m'],
    [5_400_000, '1h30m'],
    [250, '250ms'],
  ])('writes %i ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1000, 61_000, 3_600_000, 3_661_000])
      expect(parseDuration('x', formatDuration(ms))).toBe(ms);
  });
});

describe('parsePercent', () => {
  it.each([
    ['5', 5],
    ['5%', 5],
    ['0', 0],
    ['100%', 100],
  ])('reads whole percentage %j as %d', (text, value) => {
    expect(parsePercent('canary-weight', text)).toBe(value);
  });

  it.each([
    ['0.5%', 0.5],
    ['12.25', 12.25],
    ['1%', 1],
  ])('reads fraction %j as %d when fractions are allowed', (text, value) => {
    expect(parsePercent('max-error-rate', text, { fraction: true })).toBe(value);
  });

  it.each(['101', '101%', '-1', 'abc', '12.5', '1e2', '0x10', '5 %', '%', '', '1O%', '+5'])(
    'refuses %j where a whole percentage is needed',
    (text) => {
      expect(() => parsePercent('canary-weight', text)).toThrow(
        `Input 'canary-weight' must be a whole percentage between 0% and 100%, got '${text}'`,
      );
    },
  );

  it.each(['100.01', '1e-2', '.5', '5.', '-0.5'])('refuses %j even where fractions are allowed', (text) => {
    expect(() => parsePercent('max-error-rate', text, { fraction: true })).toThrow(
      `Input 'max-error-rate' must be a percentage between 0% and 100%, got '${text}'`,
    );
  });

  it('honours bounds at the edge', () => {
    expect(parsePercent('confidence', '50', { fraction: true, min: 50, max: 99.99 })).toBe(50);
    expect(() => parsePercent('confidence', '49.99', { fraction: true, min: 50, max: 99.99 })).toThrow(
      'between 50% and 99.99%',
    );
  });
});

describe('parseWeight and parseWeightList', () => {
  it('reads weights from 0 to 100 inclusive', () => {
    expect(parseWeight('canary-weight', '0')).toBe(0);
    expect(parseWeight('canary-weight', '100')).toBe(100);
    expect(parseWeight('canary-weight', 42)).toBe(42);
  });

  it('reads lists separated by commas, spaces or newlines', () => {
    expect(parseWeightList('steps', '5,25, 50\n100')).toEqual([5, 25, 50, 100]);
    expect(parseWeightList('steps', [5, '25%'])).toEqual([5, 25]);
  });

  it('names the bad item of a list', () => {
    expect(() => parseWeightList('steps', '5,1e2,100')).toThrow('got \'1e2\' in "5,1e2,100"');
    expect(() => parseWeightList('steps', '')).toThrow("Input 'steps' must be a list of whole percentages");
  });
});

describe('parseInteger', () => {
  it.each([
    ['0', 0],
    ['42', 42],
  ])('reads %j', (text, value) => expect(parseInteger('min-requests', text)).toBe(value));

  it.each(['-1', '1.0', '1e3', '0x10', 'ten', ''])('refuses %j', (text) => {
    expect(() => parseInteger('min-requests', text)).toThrow(
      `Input 'min-requests' must be a whole number of at least 0, got '${text}'`,
    );
  });

  it('checks bounds at the edge', () => {
    expect(parseInteger('max-attempts', '10', { min: 1, max: 10 })).toBe(10);
    expect(() => parseInteger('max-attempts', '11', { min: 1, max: 10 })).toThrow(
      'a whole number from 1 to 10',
    );
    expect(() => parseInteger('max-attempts', '0', { min: 1, max: 10 })).toThrow(
      'a whole number from 1 to 10',
    );
  });
});

describe('parseBoolean', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['FALSE', false],
  ])('reads %j', (text, value) => expect(parseBoolean('force', text)).toBe(value));

  it.each(['yes', '1', '', 'on'])('refuses %j', (text) => {
    expect(() => parseBoolean('force', text)).toThrow(
      `Input 'force' must be 'true' or 'false', got '${text}'`,
    );
  });
});

describe('formatPercent', () => {
  it('keeps at most two decimals', () => {
    expect(formatPercent(5)).toBe('5%');
    expect(formatPercent(0.5)).toBe('0.5%');
    expect(formatPercent(1 / 3)).toBe('0.33%');
  });
});
