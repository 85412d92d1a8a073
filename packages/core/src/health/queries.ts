import { parseYamlList, quote } from '../shared/index';
import type { CustomGate } from './gates';
import { checkTemplate } from './promql';

/** A CloudWatch metric to read, as `metric-queries` names it. */
export interface MetricStatQuery {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  stat: string;
}

/** One user metric query: a metric stat or a math expression over other queries, with a threshold. */
export interface MetricQuery {
  id: string;
  label: string;
  metric: MetricStatQuery | null;
  expression: string | null;
  /**
   * A PromQL template (`query`, with `{{canary}}`, `{{baseline}}`, `{{window}}`), read by the Prometheus
   * source only; null for CloudWatch queries.
   */
  promql?: string | null;
  /** The threshold; null for a helper query that only feeds an expression (not judged, not returned). */
  gate: CustomGate | null;
}

const ID = /^[a-z][a-zA-Z0-9_]*$/;
const STAT =
  /^(?:SampleCount|Average|Sum|Minimum|Maximum|IQM|(?:p|tm|wm|tc|ts)\d{1,2}(?:\.\d+)?|(?:TM|WM|TC|TS|PR)\([^()]*\))$/;
const KEYS = new Set([
  'id',
  'label',
  'namespace',
  'metric',
  'dimensions',
  'stat',
  'expression',
  'query',
  'max',
  'min',
]);
/** The adapter's own query ids start with this; user ids may not. */
export const RESERVED_QUERY_PREFIX = 'sg_';
const ALLOWED =
  'a YAML list of queries, each with an id, either namespace + metric (+ dimensions, stat), an expression or a PromQL query (metric-source prometheus), and a max or min threshold';

/**
 * Parses the `metric-queries` input: a YAML list such as
 * ```yaml
 * - id: cpu
 *   namespace: AWS/ECS
 *   metric: CPUUtilization
 *   dimensions: { ClusterName: prod, ServiceName: web-canary }
 *   stat: Average
 *   max: 80
 * - id: ratio
 *   expression: 100 * m1 / m2
 *   max: 2
 * ```
 * A query without `max` or `min` is a helper for expressions: read but not judged.
 */
export function parseMetricQueries(input: string, text: string): MetricQuery[] {
  if (text.trim() === '') return [];
  const { items, fail } = parseYamlList(input, text, {
    allowed: ALLOWED,
    max: 50,
    what: 'queries',
    allowEmpty: true,
  });
  const seen = new Set<string>();
  const queries = items.map((item, i): MetricQuery => {
    const where = `item ${i + 1}`;
    for (const key of Object.keys(item)) if (!KEYS.has(key)) fail(`${where} has unknown key '${key}'`);
    const id = item.id;
    if (typeof id !== 'string' || !ID.test(id))
      return fail(
        `${where} needs an 'id' that starts with a lower-case letter and has only letters, digits and _, got ${quote(id)}`,
      );
    if (id.startsWith(RESERVED_QUERY_PREFIX))
      fail(`${where}: ids starting with '${RESERVED_QUERY_PREFIX}' are reserved, got '${id}'`);
    if (seen.has(id)) fail(`${where}: id '${id}' is used twice`);
    seen.add(id);
    const label = item.label === undefined ? id : item.label;
    if (typeof label !== 'string' || label === '')
      fail(`${where} ('${id}'): 'label' must be a non-empty string`);
    const hasExpression = item.expression !== undefined;
    const hasMetric = item.metric !== undefined || item.namespace !== undefined;
    const hasQuery = item.query !== undefined;
    if (Number(hasExpression) + Number(hasMetric) + Number(hasQuery) !== 1)
      fail(
        `${where} ('${id}') needs exactly one of 'expression', 'namespace' + 'metric' (CloudWatch) or 'query' (PromQL)`,
      );
    let metric: MetricStatQuery | null = null;
    let expression: string | null = null;
    let promql: string | null = null;
    if (hasQuery) {
      for (const key of ['dimensions', 'stat'])
        if (item[key] !== undefined) fail(`${where} ('${id}'): '${key}' does not apply to a PromQL query`);
      promql = checkTemplate(input, `item ${i + 1} ('${id}') query`, item.query, false);
    } else if (hasExpression) {
      if (typeof item.expression !== 'string' || item.expression.trim() === '')
        fail(`${where} ('${id}'): 'expression' must be a non-empty string`);
      for (const key of ['dimensions', 'stat'])
        if (item[key] !== undefined) fail(`${where} ('${id}'): '${key}' does not apply to an expression`);
      expression = (item.expression as string).trim();
    } else {
      if (typeof item.namespace !== 'string' || item.namespace === '')
        fail(`${where} ('${id}'): 'namespace' must be a name such as AWS/ECS`);
      if (typeof item.metric !== 'string' || item.metric === '')
        fail(`${where} ('${id}'): 'metric' must be a metric name such as CPUUtilization`);
      const dims = item.dimensions ?? {};
      if (typeof dims !== 'object' || dims === null || Array.isArray(dims))
        fail(`${where} ('${id}'): 'dimensions' must be a mapping of name to value`);
      const dimensions: Record<string, string> = {};
      for (const [k, v] of Object.entries(dims as Record<string, unknown>)) {
        if (typeof v !== 'string' && typeof v !== 'number')
          fail(`${where} ('${id}'): dimension '${k}' must be a string`);
        dimensions[k] = String(v);
      }
      if (Object.keys(dimensions).length > 30) fail(`${where} ('${id}'): at most 30 dimensions`);
      const stat = item.stat === undefined ? 'Average' : item.stat;
      if (typeof stat !== 'string' || !STAT.test(stat))
        fail(
          `${where} ('${id}'): 'stat' must be a CloudWatch statistic such as Average, Maximum or p99, got ${quote(stat)}`,
        );
      metric = {
        namespace: item.namespace as string,
        name: item.metric as string,
        dimensions,
        stat: stat as string,
      };
    }
    const hasMax = item.max !== undefined;
    const hasMin = item.min !== undefined;
    if (hasMax && hasMin) fail(`${where} ('${id}') has both 'max' and 'min'; give one`);
    let gate: CustomGate | null = null;
    if (hasMax || hasMin) {
      const limit = hasMax ? item.max : item.min;
      if (typeof limit !== 'number' || !Number.isFinite(limit))
        fail(`${where} ('${id}'): '${hasMax ? 'max' : 'min'}' must be a number, got ${quote(limit)}`);
      gate = { id, label: label as string, direction: hasMax ? 'max' : 'min', limit: limit as number };
    }
    return { id, label: label as string, metric, expression, ...(promql !== null ? { promql } : {}), gate };
  });
  if (!queries.some((q) => q.gate !== null))
    fail("no query has a 'max' or 'min' threshold, so none would be judged");
  return queries;
}
