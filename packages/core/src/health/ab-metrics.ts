// The custom metrics of an A/B test (the `ab-metrics` setting): up to five CloudWatch count metrics,
// each read for A and for B and compared per request (orders per request, sign-ups per request), with
// which direction is better. Error rate and the slow-request share are always compared besides these.
import { hasControlCharacters, parseYamlList, quote } from '../shared/index';

/** One custom A/B metric: a CloudWatch count (Sum) per side, compared per request. */
export interface AbMetric {
  name: string;
  better: 'higher' | 'lower';
  namespace: string;
  metric: string;
  /** Dimensions both sides share. */
  dimensions: Record<string, string>;
  /**
   * Each side's own dimensions (A: the stable target group, B: the canary); null reads each side by its
   * target group (`TargetGroup` = the target group's `targetgroup/<name>/<id>`).
   */
  sides: { a: Record<string, string>; b: Record<string, string> } | null;
}

/** The most custom metrics an A/B test compares. */
export const MAX_AB_METRICS = 5;

const KEYS = ['name', 'better', 'namespace', 'metric', 'dimensions', 'a', 'b'];
const NAME = /^[a-z][a-z0-9-]{0,39}$/;
const BUILT_IN = ['error-rate', 'slow-share'];
// CloudWatch: namespaces of printable ASCII without ':' (AWS/ is reserved for AWS's own), names and
// dimension values of printable characters, up to 255; at most 30 dimensions.
const NAMESPACE = /^[A-Za-z0-9.\-_/#]{1,255}$/;
const isText = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.trim() !== '' &&
  [...value].length <= 255 &&
  !hasControlCharacters(value);
const ALLOWED =
  "a YAML list of at most 5 metrics, each with name, better (higher or lower), namespace, metric (a count, read as Sum and compared per request), optionally dimensions, and either both or neither of 'a' and 'b' (each side's own dimensions; neither reads each side by its TargetGroup)";

/**
 * Parses `ab-metrics`, for example
 * ```yaml
 * - name: orders
 *   better: higher
 *   namespace: Shop
 *   metric: OrdersPlaced
 *   dimensions: {Service: checkout}
 * ```
 * Refuses unknown keys, duplicate or built-in names (`error-rate`, `slow-share`), more than five
 * metrics and malformed names, with an {@link InputError} naming the input and the metric.
 */
export function parseAbMetrics(input: string, text: string): AbMetric[] {
  if (text.trim() === '') return [];
  const { items, fail } = parseYamlList(input, text, {
    allowed: ALLOWED,
    max: MAX_AB_METRICS,
    what: 'metrics',
  });
  const names = new Set<string>();
  return items.map((item, i): AbMetric => {
    const name = item.name;
    if (typeof name !== 'string' || !NAME.test(name))
      return fail(
        `item ${i + 1} needs a 'name' of lowercase letters, digits and -, starting with a letter (at most 40), got ${quote(name)}`,
      );
    const where = `metric '${name}'`;
    if (BUILT_IN.includes(name))
      fail(`${where}: '${name}' is always compared; give a custom metric another name`);
    if (names.has(name)) fail(`${where} is listed twice`);
    names.add(name);
    for (const key of Object.keys(item))
      if (!KEYS.includes(key)) fail(`${where} has unknown key '${key}'; keys are ${KEYS.join(', ')}`);
    if (item.better !== 'higher' && item.better !== 'lower')
      fail(`${where}: 'better' must be higher or lower, got ${quote(item.better)}`);
    if (typeof item.namespace !== 'string' || !NAMESPACE.test(item.namespace))
      fail(`${where}: 'namespace' must be a CloudWatch namespace, got ${quote(item.namespace)}`);
    if (!isText(item.metric))
      fail(`${where}: 'metric' must be a CloudWatch metric name, got ${quote(item.metric)}`);
    const map = (key: string): Record<string, string> => {
      const value = item[key] ?? {};
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return fail(`${where}: '${key}' must be a map of dimension name to value`);
      for (const [k, v] of Object.entries(value))
        if (!isText(k) || !isText(v))
          fail(`${where}: '${key}' has ${quote(k)}: ${quote(v)}, not a dimension name and value`);
      return value as Record<string, string>;
    };
    const dimensions = map('dimensions');
    if ((item.a === undefined) !== (item.b === undefined))
      fail(`${where}: give both 'a' and 'b' (each side's dimensions), or neither`);
    const sides = item.a === undefined ? null : { a: map('a'), b: map('b') };
    const count =
      Object.keys(dimensions).length +
      Math.max(...(sides ? [sides.a, sides.b] : [{}]).map((s) => Object.keys(s).length)) +
      (sides ? 0 : 1);
    if (count > 30) fail(`${where} has ${count} dimensions; CloudWatch allows 30`);
    if (sides && JSON.stringify(sides.a) === JSON.stringify(sides.b))
      fail(`${where}: 'a' and 'b' are the same dimensions, so A and B would read the same data`);
    return {
      name,
      better: item.better as AbMetric['better'],
      namespace: item.namespace as string,
      metric: item.metric as string,
      dimensions,
      sides,
    };
  });
}
