// PromQL templates for the Prometheus metric source (issue 15): what each side's statistics are read with,
// the defaults, and the one parser of `prometheus-queries` (the input and the config file's
// `prometheus.queries` take the same mapping).
import { parse } from 'yaml';
import { formatDuration, InputError, quote } from '../shared/index';

/** The statistics read per side, each with one PromQL template. */
export const PROMETHEUS_SIDE_QUERIES = ['requests', 'errors', 'latency', 'healthy', 'unhealthy'] as const;
export type PrometheusSideQuery = (typeof PROMETHEUS_SIDE_QUERIES)[number];

/** One template per side statistic. */
export type PrometheusQueries = Record<PrometheusSideQuery, string>;

/**
 * The default templates: RED metrics as the Prometheus client libraries name them
 * (`http_requests_total` with a `code` label, the `http_request_duration_seconds` histogram) and the
 * scrape's own `up`, selected by `job`. A side template is written for the canary: the baseline is read
 * with the same template, the baseline's name in place of `{{canary}}`.
 */
export const DEFAULT_PROMETHEUS_QUERIES: PrometheusQueries = {
  requests: 'sum(increase(http_requests_total{job="{{canary}}"}[{{window}}]))',
  errors: 'sum(increase(http_requests_total{job="{{canary}}",code=~"5.."}[{{window}}]))',
  latency: 'sum by (le) (increase(http_request_duration_seconds_bucket{job="{{canary}}"}[{{window}}]))',
  healthy: 'sum(min_over_time(up{job="{{canary}}"}[{{window}}]))',
  unhealthy: 'sum(1 - min_over_time(up{job="{{canary}}"}[{{window}}]))',
};

/** What each side template must return, for errors and docs. */
export const PROMETHEUS_QUERY_MEANINGS: Record<PrometheusSideQuery, string> = {
  requests: 'the requests in the window (one series)',
  errors: 'the 5xx responses in the window (one series; none at all is 0 when there were requests)',
  latency:
    "the requests in the window per histogram bucket: one series per 'le' label (upper bound in seconds, cumulative, with +Inf)",
  healthy: 'the hosts healthy through the whole window (one series)',
  unhealthy: 'the hosts unhealthy at some point in the window (one series)',
};

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PLACEHOLDERS = ['canary', 'baseline', 'window'];
const MAX_TEMPLATE = 4000;

/** The values a template is filled with. */
export interface TemplateValues {
  canary: string;
  baseline: string;
  /** The window length, as a PromQL duration (`1m`, `5m`). */
  window: string;
}

/** A window length as a PromQL duration: `60000` → `1m`. */
export function promDuration(ms: number): string {
  return formatDuration(ms);
}

/** Fills `{{canary}}`, `{{baseline}}` and `{{window}}`; every placeholder was checked when parsed. */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => values[name as keyof TemplateValues]);
}

/**
 * Checks one template: non-empty, one line of at most 4000 characters, only known placeholders, and
 * for a side template `{{canary}}` (the side being read) and no `{{baseline}}`.
 */
export function checkTemplate(input: string, key: string, template: unknown, side: boolean): string {
  const allowed = side
    ? `a PromQL template for ${key} with {{canary}} (the side read) and {{window}} placeholders`
    : 'a PromQL template with {{canary}}, {{baseline}} and {{window}} placeholders';
  const fail = (problem: string): never => {
    throw new InputError(input, template, allowed, {
      message: `Input '${input}' ${key}: ${problem}, got ${quote(template)}`,
    });
  };
  if (typeof template !== 'string' || template.trim() === '') return fail(`must be ${allowed}`);
  const text = template.trim();
  if (text.length > MAX_TEMPLATE) fail(`must be at most ${MAX_TEMPLATE} characters`);
  if (/[\r\n\0]/.test(text)) fail('must be one line');
  const used = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!PLACEHOLDERS.includes(name))
      fail(
        `has an unknown placeholder '{{${name}}}' (placeholders are {{canary}}, {{baseline}}, {{window}})`,
      );
    used.add(name);
  }
  if (text.replace(PLACEHOLDER, '').includes('{{')) fail("has an unclosed '{{'");
  if (side && !used.has('canary'))
    fail('must select the side it reads with {{canary}} (the baseline is read with its own name there)');
  if (side && used.has('baseline'))
    fail('is read once per side, so it takes {{canary}} for the side and no {{baseline}}');
  return text;
}

/**
 * Parses `prometheus-queries`: a YAML (or JSON) mapping of side statistic to PromQL template, such as
 * `{ requests: 'sum(increase(http_requests_total{service="{{canary}}"}[{{window}}]))' }`. Keys not given
 * keep their defaults ({@link DEFAULT_PROMETHEUS_QUERIES}).
 */
export function parsePrometheusQueries(input: string, text: string): PrometheusQueries {
  if (text.trim() === '') return { ...DEFAULT_PROMETHEUS_QUERIES };
  const allowed = `a YAML mapping of ${PROMETHEUS_SIDE_QUERIES.join(', ')} to PromQL templates`;
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new InputError(input, text, allowed, {
      message: `Input '${input}' must be ${allowed}: it is not YAML (${(error as Error).message.split('\n')[0]})`,
    });
  }
  return prometheusQueriesFrom(input, doc);
}

/** The templates from an already parsed mapping (the config file's `prometheus.queries`). */
export function prometheusQueriesFrom(input: string, doc: unknown): PrometheusQueries {
  const allowed = `a mapping of ${PROMETHEUS_SIDE_QUERIES.join(', ')} to PromQL templates`;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new InputError(input, doc, allowed);
  const out: PrometheusQueries = { ...DEFAULT_PROMETHEUS_QUERIES };
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!(PROMETHEUS_SIDE_QUERIES as readonly string[]).includes(key))
      throw new InputError(input, key, allowed, {
        message: `Input '${input}' has unknown key '${key}'; keys are ${PROMETHEUS_SIDE_QUERIES.join(', ')}`,
      });
    out[key as PrometheusSideQuery] = checkTemplate(input, key, value, true);
  }
  return out;
}
