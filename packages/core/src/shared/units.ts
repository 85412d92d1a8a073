import { InputError } from './errors';

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const MS = /^(\d+)ms$/;

/**
 * Parses a duration such as `90s`, `5m`, `1h30m` or `250ms` into milliseconds. Units are required,
 * whitespace, signs, exponents and fractions are refused.
 */
export function parseDuration(
  input: string,
  value: string,
  options: { min?: number; allowZero?: boolean } = {},
): number {
  const allowed = "a duration such as '90s', '5m' or '1h30m'";
  const text = value.trim();
  let ms: number;
  const millis = MS.exec(text);
  if (millis) {
    ms = Number(millis[1]);
  } else {
    const match = DURATION.exec(text);
    if (!match || text === '' || (!match[1] && !match[2] && !match[3]))
      throw new InputError(input, value, allowed);
    ms = (Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)) * 1000;
  }
  if (!Number.isSafeInteger(ms)) throw new InputError(input, value, allowed);
  if (ms === 0 && options.allowZero !== true)
    throw new InputError(input, value, `${allowed}, greater than zero`);
  if (options.min !== undefined && ms < options.min) {
    throw new InputError(input, value, `a duration of at least ${formatDuration(options.min)}`);
  }
  return ms;
}

/** Formats milliseconds the way durations are written in inputs: `1h30m`, `5m`, `90s` → `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  let seconds = ms / 1000;
  const h = Math.floor(seconds / 3600);
  seconds -= h * 3600;
  const m = Math.floor(seconds / 60);
  seconds -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${seconds ? `${seconds}s` : ''}`;
}

const INTEGER = /^\d+$/;
const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * Parses a percentage written as `5`, `5%` or (with `fraction: true`) `0.5%`. Returns the number of
 * percent (5 for `5%`). Signs, exponents, hex and whitespace inside are refused.
 */
export function parsePercent(
  input: string,
  value: string | number,
  options: { fraction?: boolean; min?: number; max?: number } = {},
): number {
  const min = options.min ?? 0;
  const max = options.max ?? 100;
  const kind = options.fraction ? 'a percentage' : 'a whole percentage';
  const allowed = `${kind} between ${min}% and ${max}%`;
  const text = String(value).trim();
  const body = text.endsWith('%') ? text.slice(0, -1) : text;
  if (!(options.fraction ? DECIMAL : INTEGER).test(body)) throw new InputError(input, value, allowed);
  const n = Number(body);
  if (!Number.isFinite(n) || n < min || n > max) throw new InputError(input, value, allowed);
  return n;
}

/** Parses a traffic weight: an integer percent from 0 to 100 (`25` or `25%`). */
export function parseWeight(input: string, value: string | number): number {
  return parsePercent(input, value, { min: 0, max: 100 });
}

/** Parses a non-negative integer written in decimal digits only, within optional bounds. */
export function parseInteger(
  input: string,
  value: string | number,
  options: { min?: number; max?: number } = {},
): number {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const allowed =
    max === Number.MAX_SAFE_INTEGER
      ? `a whole number of at least ${min}`
      : `a whole number from ${min} to ${max}`;
  const text = String(value).trim();
  if (!INTEGER.test(text)) throw new InputError(input, value, allowed);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new InputError(input, value, allowed);
  return n;
}

/** Parses a boolean input the way YAML 1.2 core schema spells it: `true` or `false` (any case). */
export function parseBoolean(input: string, value: string | boolean): boolean {
  if (typeof value === 'boolean') return value;
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new InputError(input, value, "'true' or 'false'");
}

/** Parses a list of weights such as `5,25,50,100` (commas, spaces or newlines between items). */
export function parseWeightList(input: string, value: string | readonly (string | number)[]): number[] {
  const items = typeof value === 'string' ? value.split(/[\s,]+/).filter((item) => item !== '') : [...value];
  if (items.length === 0)
    throw new InputError(input, value, 'a list of whole percentages such as 5,25,50,100');
  return items.map((item) => {
    try {
      return parseWeight(input, item);
    } catch {
      throw new InputError(
        input,
        value,
        'a list of whole percentages between 0% and 100% such as 5,25,50,100',
        {
          message: `Input '${input}' must be a list of whole percentages between 0% and 100% such as 5,25,50,100, got '${String(item)}' in ${JSON.stringify(typeof value === 'string' ? value : value.join(','))}`,
        },
      );
    }
  });
}
