import { describe, expect, it } from 'vitest';
import { escapeMarkdown, formatPercent, isObject, median } from '@shiftgate/core';

describe('escapeMarkdown', () => {
  it.each([
    [
      'p99 612ms is over the limit (canary, 3 of 3 windows).',
      'p99 612ms is over the limit (canary, 3 of 3 windows).',
    ],
    ['5% of traffic: 10/100 requests', '5% of traffic: 10/100 requests'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['</details><script>', '&lt;/details&gt;&lt;script&gt;'],
    ['&lt; already', '&amp;lt; already'],
    ['a | b', 'a \\| b'],
    ['a \\| b', 'a \\\\\\| b'],
    ['[click](https://evil.example)', '\\[click\\](https://evil.example)'],
    ['![x](https://evil.example/x.png)', '!\\[x\\](https://evil.example/x.png)'],
    ['`code` and ``more``', '&#96;code&#96; and &#96;&#96;more&#96;&#96;'],
    ['ping @octocat and @org/team', 'ping &#64;octocat and &#64;org/team'],
    ['mail ops@example.com', 'mail ops&#64;example.com'],
    ['a lone @ sign', 'a lone @ sign'],
    ['line one\nline two\r\nthree\rfour\u2028five', 'line one line two three four five'],
    ['| --- |\n| injected | row |', '\\| --- \\| \\| injected \\| row \\|'],
  ])('escapes %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it('leaves a hostile label no way out of its table cell or code span', () => {
    const cell = escapeMarkdown('x`|<b>\n| y @admin \\| z');
    // Once every backslash pair is read as the escape it is, nothing active is left.
    expect(cell.replace(/\\[\\|[\]]/g, '')).not.toMatch(/[|`<>\n]|@\w/);
  });
});

describe('median', () => {
  it.each([
    [[], null],
    [[7], 7],
    [[5, 1, 3], 3],
    [[4000, 1000, 3000, 2000], 2500],
    [[1, 2], 1.5],
  ])('of %j is %j', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('formatPercent', () => {
  it.each([
    [5, '5%'],
    [0.5, '0.5%'],
    [12.345, '12.35%'],
    [100, '100%'],
  ])('formats %j as %j', (value, expected) => {
    expect(formatPercent(value)).toBe(expected);
  });
});

describe('isObject', () => {
  it('accepts objects and refuses null, arrays and scalars', () => {
    expect(isObject({})).toBe(true);
    expect(isObject(null)).toBe(false);
    expect(isObject([])).toBe(false);
    expect(isObject('x')).toBe(false);
    expect(isObject(undefined)).toBe(false);
  });
});
