import { describe, expect, it } from 'vitest';
import {
  fieldProblem,
  hasControlCharacters,
  parseEnvironmentName,
  parseName,
  parseRef,
  parseSha,
  parseVersion,
  showValue,
  type FieldKind,
} from '@shiftgate/core';

describe('the field rules', () => {
  it.each<[FieldKind, string]>([
    ['version', 'v1.2.3'],
    ['version', '1.2.3-rc.1+build.7'],
    ['version', `app@sha256:${'f'.repeat(64)}`],
    ['version', 'ghcr.io/acme/shop:2026.01.10'],
    ['version', 'v'.repeat(256)],
    ['environment', 'production'],
    ['environment', 'eu-west-1/prod blue'],
    ['environment', 'e'.repeat(255)],
    ['ref', 'main'],
    ['ref', 'refs/heads/feature/faster-checkout'],
    ['ref', 'v1.2.3'],
    ['ref', 'a'.repeat(40)],
    ['ref', 'r'.repeat(255)],
    ['sha', 'a'.repeat(40)],
    ['sha', 'b'.repeat(64)],
    ['name', 'pre-switch'],
    ['name', 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/0123456789abcdef'],
    ['name', 'n'.repeat(256)],
    ['arn', 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/1/2'],
    ['text', 'p99 612ms > max-p99-latency 500ms (canary, 3 of last 3 windows)'],
    ['text', 't'.repeat(1024)],
    ['command', 'set -e\n\t./flag.sh "$SHIFTGATE_FLAG_EXPOSURE"'],
  ])('accept a %s %j', (kind, value) => {
    expect(fieldProblem(kind, value)).toBeNull();
  });

  it.each<[FieldKind, unknown]>([
    ['version', 'v'.repeat(257)],
    ['version', 'v1 beta'],
    ['version', '-v1'],
    ['version', 'v1\n'],
    ['version', 'v1<b>'],
    ['version', 'v1`x`'],
    ['version', 1.2],
    ['version', ''],
    ['environment', 'e'.repeat(256)],
    ['environment', ' production'],
    ['environment', 'production '],
    ['environment', 'prod;rm'],
    ['environment', 'prod\u0085'],
    ['environment', 'prod\u2066x'],
    ['environment', '@team'],
    ['ref', 'r'.repeat(256)],
    ['ref', '-delete'],
    ['ref', '--upload-pack=x'],
    ['ref', 'a..b'],
    ['ref', 'a b'],
    ['ref', 'a~1'],
    ['ref', 'a^'],
    ['ref', 'a:b'],
    ['ref', 'feature/.hidden'],
    ['ref', 'topic.lock'],
    ['ref', 'main/'],
    ['ref', 'a@{1}'],
    ['ref', '@'],
    ['sha', 'a'.repeat(39)],
    ['sha', 'A'.repeat(40)],
    ['sha', 'a'.repeat(41)],
    ['name', 'n'.repeat(257)],
    ['name', 'flag\n::warning::x'],
    ['name', 'a b'],
    ['name', '.hidden'],
    ['arn', 'arn:aws:x`y'],
    ['arn', 'listener/app/shop'],
    ['arn', `arn:${'a'.repeat(2045)}`],
    ['text', 't'.repeat(1025)],
    ['text', 'two\nlines'],
    ['text', 'bell\u0007'],
    ['command', '   '],
    ['command', './flag.sh\u001b[2J'],
    ['command', 'c'.repeat(8193)],
  ])('refuse a %s %j', (kind, value) => {
    expect(fieldProblem(kind, value)).toMatch(/^must be .+, got /);
  });

  it('name the input, the value (escaped) and what is allowed', () => {
    expect(() => parseVersion('version', 'v1\u001b[31m')).toThrow(
      "Input 'version' must be a version of 1 to 256 letters, digits and . _ - + : @ / starting with a letter or digit (such as v1.2.3 or app@sha256:…), got 'v1\\u001b[31m'",
    );
    expect(() => parseEnvironmentName('environment', '')).toThrow('got an empty string');
    expect(() => parseRef('ref', null)).toThrow("Input 'ref' must be a branch, tag or commit sha");
    expect(() => parseSha('sha', 'abc')).toThrow("got 'abc'");
    expect(() => parseName('name', ['a'])).toThrow('got a list');
  });

  it('show values on one line with control characters as escapes', () => {
    expect(showValue('a\r\nb\u202ec')).toBe("'a\\u000d\\u000ab\\u202ec'");
    expect(hasControlCharacters(showValue('\u0007\u009b\u2028'))).toBe(false);
    expect(showValue(undefined)).toBe('nothing');
  });
});
