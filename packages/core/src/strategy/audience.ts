// The `audience` parameter of an A/B test: which requests a listener rule sends to B.
import { InputError } from '../shared/index';

/** One match of an audience: a header, a query-string key or a cookie, with the values that select B. */
export interface AudienceCondition {
  field: 'http-header' | 'query-string' | 'cookie';
  name: string;
  /** Any of these selects B; `*` and `?` are ALB wildcards. */
  values: string[];
}

/** ALB quotas (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html). */
export const ALB_LIMITS = { conditionValuesPerRule: 5, rulesPerListener: 100, maxPriority: 50_000 } as const;

const FIELDS: Record<string, AudienceCondition['field']> = {
  header: 'http-header',
  query: 'query-string',
  cookie: 'cookie',
};
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/;
const VALUE = /^[A-Za-z0-9 !#$%&'()*+,./:<>?@[\]^_`{|}~=-]{1,128}$/;
const ALLOWED =
  "conditions separated by ';', each header:<name>=<value>, query:<key>=<value> or cookie:<name>=<value>, with values separated by '|' (for example header:X-Experiment=b|beta)";

/**
 * Parses the `audience` parameter: `header:X-Experiment=b|beta; cookie:exp=b`. Conditions are ANDed by
 * ALB, values of one condition ORed. Refuses a condition on the same header, key or cookie twice, a
 * `Cookie` header beside a cookie condition (they would contradict each other), and more than 5 values
 * in all (ALB's limit per rule), naming the input and the value.
 */
export function parseAudience(input: string, text: string): AudienceCondition[] {
  const fail = (problem: string): never => {
    throw new InputError(input, text, ALLOWED, {
      message: `Input '${input}' must be ${ALLOWED}: ${problem}`,
    });
  };
  const parts = text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) fail('it is empty');
  const seen = new Set<string>();
  const conditions = parts.map((part): AudienceCondition => {
    const match = /^(header|query|cookie):([^=]+)=(.+)$/.exec(part);
    if (!match) return fail(`'${part}' is not one of these`);
    const field = FIELDS[match[1]!]!;
    const name = match[2]!.trim();
    const values = match[3]!.split('|').map((v) => v.trim());
    if (!TOKEN.test(name)) fail(`'${name}' is not a header, query key or cookie name`);
    const bad = values.find((v) => !VALUE.test(v) || (field !== 'query-string' && v.includes(';')));
    if (bad !== undefined)
      fail(`'${bad}' in '${part}' is not a value ALB can match (1 to 128 printable characters)`);
    const key = `${field === 'query-string' ? 'query' : 'header'}:${field === 'cookie' ? 'cookie' : name.toLowerCase()}`;
    const id = field === 'cookie' ? `cookie:${name}` : key;
    if (seen.has(id)) fail(`'${name}' is matched twice; put its values in one condition, separated by '|'`);
    seen.add(id);
    return { field, name, values };
  });
  const cookieHeader = conditions.some((c) => c.field === 'http-header' && c.name.toLowerCase() === 'cookie');
  if (cookieHeader && conditions.some((c) => c.field === 'cookie'))
    fail(
      "a 'Cookie' header condition and a cookie condition contradict each other; use cookie:<name>=<value>",
    );
  const total = conditions.reduce((sum, c) => sum + c.values.length, 0);
  if (total > ALB_LIMITS.conditionValuesPerRule)
    fail(`it has ${total} values in all; an ALB rule matches at most ${ALB_LIMITS.conditionValuesPerRule}`);
  return conditions;
}

/** The audience written back as the parameter reads (for plans, logs and the `rule` JSON field). */
export function formatAudience(conditions: readonly AudienceCondition[]): string {
  const prefix = { 'http-header': 'header', 'query-string': 'query', cookie: 'cookie' } as const;
  return conditions.map((c) => `${prefix[c.field]}:${c.name}=${c.values.join('|')}`).join('; ');
}
