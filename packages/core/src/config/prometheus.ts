// Where a bake's evidence comes from (issue 15): `metric-source` and the Prometheus settings, declared
// here and spread into the one settings catalogue, and their parsing into one typed value.
import { InputError, quote } from '../shared/index';
import { parsePrometheusQueries, type MetricQuery, type PrometheusQueries } from '../health/index';
import type { SettingSpec } from './catalogue';

/** Where the windows of evidence come from. */
export const METRIC_SOURCES = ['cloudwatch', 'prometheus'] as const;
export type MetricSourceName = (typeof METRIC_SOURCES)[number];

/** How the Prometheus HTTP API is authenticated. */
export const PROMETHEUS_AUTHS = ['none', 'sigv4', 'bearer', 'basic'] as const;
export type PrometheusAuthName = (typeof PROMETHEUS_AUTHS)[number];

/** Parses `metric-source`. */
export function parseMetricSource(input: string, text: string): MetricSourceName {
  const value = text.trim();
  if ((METRIC_SOURCES as readonly string[]).includes(value)) return value as MetricSourceName;
  throw new InputError(input, text, `one of ${METRIC_SOURCES.join(', ')}`);
}

/** Parses `prometheus-auth`. */
export function parsePrometheusAuth(input: string, text: string): PrometheusAuthName {
  const value = text.trim();
  if ((PROMETHEUS_AUTHS as readonly string[]).includes(value)) return value as PrometheusAuthName;
  throw new InputError(input, text, `one of ${PROMETHEUS_AUTHS.join(', ')}`);
}

/**
 * Parses `prometheus-url`: the base of the Prometheus HTTP API, http or https, without credentials,
 * query or fragment (`https://prometheus.example.com`, or an AMP workspace
 * `https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-…`); `/api/v1/query_range` is added to it.
 */
export function parsePrometheusUrl(input: string, text: string): string {
  const allowed =
    'an http(s) URL of a Prometheus-compatible API such as https://prometheus.example.com or https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-…, without user, password, query or fragment';
  const value = text.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(input, text, allowed);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(input, text, allowed);
  if (url.username !== '' || url.password !== '')
    // The value is not echoed: it holds a password.
    throw new InputError(input, '(hidden)', allowed, {
      message: `Input '${input}' must not carry a user or password (use prometheus-auth basic with prometheus-username and prometheus-password); the value is not shown`,
    });
  if (url.search !== '' || url.hash !== '' || value.length > 2000) throw new InputError(input, text, allowed);
  return url.toString().replace(/\/+$/, '');
}

/**
 * Parses a secret (`prometheus-token`, `prometheus-password`): one line, at most 8 KiB. Its value is never
 * put in an error message.
 */
export function parseSecret(input: string, text: string): string {
  if (/[\r\n\0]/.test(text) || text.length > 8192)
    throw new InputError(input, '(hidden)', 'one line', {
      message: `Input '${input}' must be one line of at most 8192 characters; the value is not shown`,
    });
  return text;
}

/** Parses `prometheus-username`: one line without ':' (basic auth joins it with the password by one). */
export function parsePrometheusUsername(input: string, text: string): string {
  const value = text.trim();
  if (!/^[^:\r\n\0]{1,256}$/.test(value))
    throw new InputError(input, text, "a user name of at most 256 characters without ':'");
  return value;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/** Parses `prometheus-region`: an AWS region such as us-east-1. */
export function parsePrometheusRegion(input: string, text: string): string {
  const value = text.trim();
  if (!REGION.test(value)) throw new InputError(input, text, 'an AWS region such as us-east-1');
  return value;
}

/** How the Prometheus API is reached. */
export type PrometheusAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  /** `region` null: from the AMP URL's host, else the job's AWS region. */
  | { kind: 'sigv4'; region: string | null };

/** The evidence source of a run. */
export type SourceSettings =
  | { kind: 'cloudwatch' }
  | { kind: 'prometheus'; url: string; auth: PrometheusAuth; queries: PrometheusQueries };

/** The names of the Prometheus settings (where, how to sign in, what to ask), in catalogue order. */
export const PROMETHEUS_SETTING_NAMES = [
  'prometheus-url',
  'prometheus-auth',
  'prometheus-token',
  'prometheus-username',
  'prometheus-password',
  'prometheus-region',
  'prometheus-queries',
] as const;

/** The names of the evidence source settings, in catalogue order. */
export const SOURCE_SETTING_NAMES = ['metric-source', ...PROMETHEUS_SETTING_NAMES] as const;

/** The settings of the Prometheus-only inputs that hold secrets (masked by the actions). */
export const SECRET_SETTING_NAMES = ['prometheus-token', 'prometheus-password'] as const;

/**
 * Parses the evidence source settings by name, checking they fit together: a Prometheus setting with
 * `metric-source: cloudwatch` is refused (never silently ignored), as is a credential the chosen
 * `prometheus-auth` does not use, and a `metric-queries` item of the other source's kind.
 */
export function parseSourceSettings(
  get: (name: string) => string,
  queries: readonly MetricQuery[] = [],
): SourceSettings {
  const source = parseMetricSource('metric-source', get('metric-source').trim() || 'cloudwatch');
  // An action hands over its action.yml default for an input not given: 'none' is not a choice made.
  const given = (name: string) =>
    get(name).trim() !== '' && !(name === 'prometheus-auth' && get(name).trim() === 'none');
  if (source === 'cloudwatch') {
    for (const name of SOURCE_SETTING_NAMES.slice(1)) {
      if (given(name))
        throw new InputError(name, '(not shown)', '', {
          message: `Input '${name}' only applies with metric-source 'prometheus' (metric-source is 'cloudwatch'); remove it or set metric-source: prometheus`,
        });
    }
    const promql = queries.find((q) => q.promql);
    if (promql)
      throw new InputError('metric-queries', promql.id, '', {
        message: `Input 'metric-queries': query '${promql.id}' is PromQL ('query'), which needs metric-source 'prometheus'`,
      });
    return { kind: 'cloudwatch' };
  }
  const cloudwatch = queries.find((q) => !q.promql);
  if (cloudwatch)
    throw new InputError('metric-queries', cloudwatch.id, '', {
      message: `Input 'metric-queries': query '${cloudwatch.id}' is a CloudWatch query; with metric-source 'prometheus' every query is PromQL, given as 'query'`,
    });
  if (!given('prometheus-url'))
    throw new InputError('prometheus-url', '', 'the URL of the Prometheus HTTP API', {
      message:
        "Input 'prometheus-url' is required with metric-source 'prometheus': the base URL of the Prometheus HTTP API (or an AMP workspace URL)",
    });
  const url = parsePrometheusUrl('prometheus-url', get('prometheus-url'));
  const kind = parsePrometheusAuth('prometheus-auth', get('prometheus-auth').trim() || 'none');
  const uses: Record<PrometheusAuthName, string[]> = {
    none: [],
    sigv4: ['prometheus-region'],
    bearer: ['prometheus-token'],
    basic: ['prometheus-username', 'prometheus-password'],
  };
  for (const name of [
    'prometheus-token',
    'prometheus-username',
    'prometheus-password',
    'prometheus-region',
  ]) {
    if (given(name) && !uses[kind].includes(name))
      throw new InputError(name, '(not shown)', '', {
        message: `Input '${name}' does not apply with prometheus-auth '${kind}' (it is for ${Object.entries(
          uses,
        )
          .filter(([, names]) => names.includes(name))
          .map(([auth]) => `'${auth}'`)
          .join(' ')}); remove it or change prometheus-auth`,
      });
  }
  const required = (name: string, what: string): string => {
    if (!given(name))
      throw new InputError(name, '', what, {
        message: `Input '${name}' is required with prometheus-auth '${kind}': ${what}`,
      });
    return get(name);
  };
  let auth: PrometheusAuth;
  switch (kind) {
    case 'none':
      auth = { kind };
      break;
    case 'bearer':
      auth = {
        kind,
        token: parseSecret(
          'prometheus-token',
          required('prometheus-token', 'the token, from a secret').trim(),
        ),
      };
      break;
    case 'basic':
      auth = {
        kind,
        username: parsePrometheusUsername(
          'prometheus-username',
          required('prometheus-username', 'the user name'),
        ),
        password: parseSecret(
          'prometheus-password',
          required('prometheus-password', 'the password, from a secret'),
        ),
      };
      break;
    case 'sigv4':
      auth = {
        kind,
        region: given('prometheus-region')
          ? parsePrometheusRegion('prometheus-region', get('prometheus-region'))
          : null,
      };
      break;
  }
  if (
    url.startsWith('http:') &&
    kind !== 'none' &&
    !/^http:\/\/(?:127\.0\.0\.1|localhost|\[::1\])[:/]/.test(`${url}/`)
  )
    throw new InputError('prometheus-url', url, '', {
      message: `Input 'prometheus-url' must be https with prometheus-auth '${kind}' (credentials are not sent in clear text), got ${quote(url)}`,
    });
  return {
    kind: 'prometheus',
    url,
    auth,
    queries: parsePrometheusQueries('prometheus-queries', get('prometheus-queries')),
  };
}

const SOURCE_USE = { 'bake-and-gate': {}, 'run-plan': {} } as const;
const SOURCE_CLI = ['deploy'] as const;

/** The evidence source settings as catalogue entries (spread into `SETTINGS`). */
export const SOURCE_SETTINGS = {
  'metric-source': {
    default: 'cloudwatch',
    parse: parseMetricSource,
    description:
      'Where the evidence comes from: cloudwatch (the ALB metrics of both target groups) or prometheus (PromQL templates over a Prometheus-compatible API such as Amazon Managed Service for Prometheus; needs prometheus-url).',
    actions: SOURCE_USE,
    cli: SOURCE_CLI,
  },
  'prometheus-url': {
    default: '',
    parse: parsePrometheusUrl,
    description:
      'Base URL of the Prometheus HTTP API (/api/v1/query_range is added), for example https://prometheus.example.com or an AMP workspace https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-…. Required with metric-source prometheus.',
    actions: SOURCE_USE,
    cli: SOURCE_CLI,
  },
  'prometheus-auth': {
    default: 'none',
    parse: parsePrometheusAuth,
    description:
      "How Prometheus requests are authenticated: none, sigv4 (Amazon Managed Prometheus: signed with the job's AWS credentials, IAM aps:QueryMetrics), bearer (prometheus-token) or basic (prometheus-username and prometheus-password).",
    actions: SOURCE_USE,
    cli: SOURCE_CLI,
  },
  'prometheus-token': {
    default: '',
    parse: parseSecret,
    description: 'Bearer token for prometheus-auth bearer; pass it from a secret (it is masked in the log).',
    actions: SOURCE_USE,
    cli: SOURCE_CLI,
  },
  'prometheus-username': {
    default: '',
    parse: parsePrometheusUsername,
    description: 'User name for prometheus-auth basic.',
    actions: SOURCE_USE,
    cli: SOURCE_CLI,
  },
  'prometheus-password': {
    default: '',
    parse: parseSecret,
    description: 'Password for prometheus-auth basic; pass it from a secret (it is masked in the log).',
    actions: SOURCE_USE,
    cli: SOURCE_CLI,
  },
  'prometheus-region': {
    default: '',
    parse: parsePrometheusRegion,
    description:
      "The AWS region SigV4 signs for (prometheus-auth sigv4). Empty: the region in the AMP URL's host, else the job's AWS region.",
    actions: SOURCE_USE,
    cli: SOURCE_CLI,
  },
  'prometheus-queries': {
    default: '',
    parse: parsePrometheusQueries,
    description:
      "PromQL templates overriding the defaults, as a YAML mapping of requests, errors, latency (per-bucket counts by le), healthy and unhealthy; each written for the canary with {{canary}} and {{window}} placeholders (the baseline is read with its name in place of {{canary}}). Empty keeps the defaults (the README lists them); the config file's prometheus.queries takes the same mapping.",
    actions: SOURCE_USE,
    cli: SOURCE_CLI,
  },
} as const satisfies Record<(typeof SOURCE_SETTING_NAMES)[number], SettingSpec>;
