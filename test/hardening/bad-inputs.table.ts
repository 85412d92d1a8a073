// The bad-input table: every input of every action at least once, and the CLI's flags. Each row is one
// test (bad-inputs.test.ts) and one count in the README (scripts/hardening-counts.mjs). Pure data: no
// vitest here, so the counts script can import it.
import { plannedState } from './states';

export const ACCOUNT = '123456789012';
export const LB = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/shop/50dc6c495c0c9188`;
export const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
export const RULE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
export const STABLE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/shop-blue/73e2d6bc24d8a067`;
export const CANARY = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/shop-green/943f017f100becff`;
const EC2 = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`;

/** The actions the table covers, each with inputs that are valid on their own. */
export const VALID: Record<string, Record<string, string>> = {
  'select-strategy': { strategy: 'canary', token: 'ghs_test' },
  'shift-traffic': {
    'listener-arn': LISTENER,
    'stable-target-group-arn': STABLE,
    'canary-target-group-arn': CANARY,
    'canary-weight': '5',
  },
  'bake-and-gate': {
    'load-balancer-arn': LB,
    'stable-target-group-arn': STABLE,
    'canary-target-group-arn': CANARY,
  },
  'run-plan': {
    state: plannedState('canary'),
    'listener-arn': LISTENER,
    'stable-target-group-arn': STABLE,
    'canary-target-group-arn': CANARY,
  },
  rollback: {
    'listener-arn': LISTENER,
    'stable-target-group-arn': STABLE,
    'canary-target-group-arn': CANARY,
  },
  'record-deployment': { token: 'ghs_test', environment: 'production', version: 'v2.4.0', ref: 'main' },
};

/** One bad input of one action: the inputs are {@link VALID}'s, then `with`, then `input: value`. */
export interface ActionRow {
  action: keyof typeof VALID;
  input: string;
  value: string;
  with?: Record<string, string>;
  /** The step: the main one, or the post step (record-deployment's job-status is read there). */
  entry?: 'main' | 'post';
  /** The event that triggered the run, when the row needs one (a pull request with a label). */
  event?: 'labeled-pull-request';
  /** The name the error must quote, when it is not the input's own (`parameters.steps`). */
  names?: string;
  /** A fragment the error must hold besides the quoted name. */
  says?: string;
}

/** One bad flag of one `shiftgate` command: exit code 2, the flag named on stderr, nothing on stdout. */
export interface CliRow {
  argv: string[];
  flag: string;
  /** What stderr must name instead of the flag (a file path). */
  names?: string;
  /** Text that must not reach stderr (the content of a file that is not a trace). */
  hides?: string;
  says?: string;
  /** Files written into the working directory first (a state file, a config file), by name. */
  files?: Record<string, string>;
}

/** A saga state planned for production (no service moved yet) and a config file with staging's services. */
const SAGA_FILES = {
  'saga.json': plannedState('saga', { services: 'order,payment' }),
  'shiftgate.yml': [
    'environments:',
    '  staging:',
    '    services:',
    ...['order', 'payment'].map((n) => `      - {name: ${n}, deploy: 'exit 1', compensate: 'exit 1'}`),
    '  production:',
    '    default-strategy: canary',
    '',
  ].join('\n'),
};

/** A feature-flag plan on AppConfig, and run-plan inputs naming the same flag. */
const APPCONFIG_PLAN = {
  'flag-provider': 'appconfig',
  'appconfig-application': 'shop',
  'appconfig-environment': 'prod',
  'appconfig-profile': 'flags',
  'flag-name': 'checkout',
};
const APPCONFIG_WITH = { 'flag-provider': 'appconfig' };

const SELECT: ActionRow[] = [
  { action: 'select-strategy', input: 'strategy', value: 'canery', says: 'one of blue-green, canary' },
  { action: 'select-strategy', input: 'strategy', value: 'deploy:canary' },
  { action: 'select-strategy', input: 'cells', value: '- name: a\n  region: us-east-1', names: 'cells' },
  { action: 'select-strategy', input: 'parameters', value: '[1, 2]', says: 'YAML or JSON map' },
  { action: 'select-strategy', input: 'parameters', value: '{steps: [', says: 'not valid YAML' },
  { action: 'select-strategy', input: 'parameters', value: 'steps: {a: 1}', names: 'parameters.steps' },
  { action: 'select-strategy', input: 'environment', value: 'prod;rm -rf /' },
  { action: 'select-strategy', input: 'environment', value: 'prod\n::warning::x' },
  { action: 'select-strategy', input: 'config', value: '/etc/shadow', says: 'workspace' },
  { action: 'select-strategy', input: 'config', value: '../../../../etc/passwd', says: 'workspace' },
  { action: 'select-strategy', input: 'config', value: 'ops/missing.yml', says: 'does not exist' },
  {
    action: 'select-strategy',
    input: 'default-strategy',
    value: 'big-bang',
    with: { strategy: '' },
    says: 'one of',
  },
  { action: 'select-strategy', input: 'label-prefix', value: 'deploy me:' },
  {
    action: 'select-strategy',
    input: 'token',
    value: '',
    with: { strategy: '' },
    event: 'labeled-pull-request',
    says: 'is empty',
  },
  { action: 'select-strategy', input: 'require-permission', value: 'owner', says: 'read, triage, write' },
  { action: 'select-strategy', input: 'allow-forks', value: 'yes', says: "'true' or 'false'" },
  // The composite's and reusable workflow's own settings, checked by select-strategy before anything moves.
  { action: 'select-strategy', input: 'upload-trace', value: 'maybe', says: "'true' or 'false'" },
  {
    action: 'select-strategy',
    input: 'trace-retention-days',
    value: '91',
    says: 'a whole number from 1 to 90',
  },
  { action: 'select-strategy', input: 'trace-retention-days', value: '0', says: 'from 1 to 90' },
  { action: 'select-strategy', input: 'trace-retention-days', value: '2w', says: 'from 1 to 90' },
];

const ROUTE_INPUTS = (action: 'shift-traffic' | 'run-plan' | 'rollback'): ActionRow[] => [
  { action, input: 'listener-arn', value: EC2, says: 'ec2 service' },
  { action, input: 'listener-arn', value: STABLE, says: 'targetgroup' },
  { action, input: 'rule-arn', value: LISTENER },
  { action, input: 'stable-target-group-arn', value: 'blue' },
  { action, input: 'canary-target-group-arn', value: LISTENER },
  { action, input: 'aws-region', value: 'mars-north-1a' },
  { action, input: 'retry-mode', value: 'legacy', says: "'standard' or 'adaptive'" },
  { action, input: 'max-attempts', value: '0' },
];

const SHIFT: ActionRow[] = [
  ...ROUTE_INPUTS('shift-traffic'),
  { action: 'shift-traffic', input: 'listener-arn', value: LISTENER.replace('us-east-1', 'eu-west-1') },
  { action: 'shift-traffic', input: 'canary-weight', value: '101' },
  { action: 'shift-traffic', input: 'canary-weight', value: '5.5' },
  { action: 'shift-traffic', input: 'canary-weight', value: 'five' },
  { action: 'shift-traffic', input: 'state', value: '{"version": ' },
  {
    action: 'shift-traffic',
    input: 'state',
    value: plannedState('canary', {}, (doc) => (doc.status = 'rolled-back')),
  },
  { action: 'shift-traffic', input: 'step', value: 'next', with: { 'canary-weight': '' }, names: 'state' },
  { action: 'shift-traffic', input: 'step', value: 'next', says: 'empty when canary-weight is set' },
  {
    action: 'shift-traffic',
    input: 'step',
    value: '99',
    with: { 'canary-weight': '', state: plannedState('canary') },
  },
  { action: 'shift-traffic', input: 'expected-weights', value: 'stable=100' },
  { action: 'shift-traffic', input: 'force', value: 'yes' },
  { action: 'shift-traffic', input: 'dry-run', value: 'maybe' },
  { action: 'shift-traffic', input: 'restore-on-failure', value: '1' },
];

/** The gate and timing inputs bake-and-gate and run-plan share. */
const GATES = (action: 'bake-and-gate' | 'run-plan'): ActionRow[] => [
  { action, input: 'max-error-rate', value: '1O%' },
  { action, input: 'max-latency-increase', value: 'a lot' },
  { action, input: 'max-p99-latency', value: 'fast' },
  { action, input: 'latency-percentile', value: 'p100' },
  { action, input: 'min-healthy-percent', value: '150' },
  { action, input: 'min-requests', value: '-1' },
  { action, input: 'bake-time', value: '5 minutes' },
  { action, input: 'confidence', value: '200%' },
  { action, input: 'on-inconclusive', value: 'shrug' },
  { action, input: 'max-consecutive-errors', value: 'many' },
  { action, input: 'poll-interval', value: '90s' },
  { action, input: 'metric-delay', value: 'soon' },
  { action, input: 'metric-queries', value: '- id: cpu' },
  { action, input: 'alarms', value: 'a'.repeat(300) },
  { action, input: 'fail-on-rollback', value: 'perhaps' },
  { action, input: 'aws-region', value: 'moon' },
  ...SOURCE(action),
];

/** The evidence source inputs (issue 15): each refused before any connection, secrets never echoed. */
const PROM = { 'metric-source': 'prometheus', 'prometheus-url': 'https://prometheus.example.com' };
const SOURCE = (action: 'bake-and-gate' | 'run-plan'): ActionRow[] => [
  { action, input: 'metric-source', value: 'datadog', says: 'one of cloudwatch, prometheus' },
  { action, input: 'prometheus-url', value: 'ftp://prometheus.example.com', with: PROM },
  { action, input: 'prometheus-url', value: '', with: { 'metric-source': 'prometheus' }, says: 'required' },
  {
    action,
    input: 'prometheus-url',
    value: 'https://prometheus.example.com',
    says: "only applies with metric-source 'prometheus'",
  },
  { action, input: 'prometheus-auth', value: 'kerberos', with: PROM, says: 'one of none, sigv4' },
  {
    action,
    input: 'prometheus-token',
    value: 'tok\nen',
    with: { ...PROM, 'prometheus-auth': 'bearer' },
    says: 'not shown',
  },
  {
    action,
    input: 'prometheus-token',
    value: '',
    with: { ...PROM, 'prometheus-auth': 'bearer' },
    says: 'required',
  },
  {
    action,
    input: 'prometheus-username',
    value: 'a:b',
    with: { ...PROM, 'prometheus-auth': 'basic', 'prometheus-password': 'pw' },
  },
  {
    action,
    input: 'prometheus-password',
    value: 'secret-pw',
    with: { ...PROM, 'prometheus-auth': 'bearer', 'prometheus-token': 't' },
    says: 'does not apply',
  },
  { action, input: 'prometheus-region', value: 'mars-1', with: { ...PROM, 'prometheus-auth': 'sigv4' } },
  { action, input: 'prometheus-queries', value: 'requests: sum(x)', with: PROM, says: '{{canary}}' },
  { action, input: 'prometheus-queries', value: 'latency99: x', with: PROM, says: 'unknown key' },
];

const BAKE: ActionRow[] = [
  ...GATES('bake-and-gate'),
  { action: 'bake-and-gate', input: 'max-bake-time', value: '1m', with: { 'bake-time': '10m' } },
  {
    action: 'bake-and-gate',
    input: 'state',
    value: '[]',
    with: { 'load-balancer-arn': '', 'stable-target-group-arn': '', 'canary-target-group-arn': '' },
  },
  { action: 'bake-and-gate', input: 'load-balancer-arn', value: EC2 },
  { action: 'bake-and-gate', input: 'load-balancer-arn', value: '', says: 'an ARN' },
  { action: 'bake-and-gate', input: 'stable-target-group-arn', value: LB },
  { action: 'bake-and-gate', input: 'canary-target-group-arn', value: STABLE, says: 'other than the stable' },
];

const RUN: ActionRow[] = [
  ...ROUTE_INPUTS('run-plan'),
  ...GATES('run-plan'),
  { action: 'run-plan', input: 'state', value: '' },
  { action: 'run-plan', input: 'state', value: '{"strategy": "canary"}' },
  {
    action: 'run-plan',
    input: 'state',
    value: plannedState('canary', {}, (doc) => (doc.status = 'succeeded')),
  },
  { action: 'run-plan', input: 'max-bake-time', value: '1s' },
  { action: 'run-plan', input: 'rollback-to', value: 'yesterday' },
  { action: 'run-plan', input: 'cells', value: 'not: [a list', names: 'cells' },
  { action: 'run-plan', input: 'only-region', value: 'Mars; rm -rf', names: 'only-region' },
  // A region, but the rollout is not over cells.
  { action: 'run-plan', input: 'only-region', value: 'us-east-1', names: 'only-region' },
  {
    action: 'run-plan',
    input: 'services',
    value: '- name: orders\n  deploy: ./deploy.sh',
    says: 'compensate',
  },
  {
    // A saga service whose targets name a target group as a listener.
    action: 'run-plan',
    input: 'services',
    value: `- name: orders\n  deploy: ./deploy.sh\n  compensate: ./undo.sh\n  targets: {listener-arn: ${STABLE}, stable-target-group-arn: ${STABLE}, canary-target-group-arn: ${CANARY}}`,
    with: { state: plannedState('saga', { services: 'orders' }) },
    says: "service 'orders': 'targets.listener-arn' must be an ELBv2 listener ARN",
  },
  {
    action: 'run-plan',
    input: 'ab-metrics',
    value: '- {name: orders, better: more, namespace: Shop, metric: Orders}',
    with: { state: plannedState('ab-testing', { split: '50,50' }) },
    says: "'better' must be higher or lower",
  },
  {
    // Custom A/B metrics in a plan that is not an A/B test.
    action: 'run-plan',
    input: 'ab-metrics',
    value: '- {name: orders, better: higher, namespace: Shop, metric: Orders}',
    says: 'this is a canary plan',
  },
  {
    // Custom A/B metrics are CloudWatch metrics: refused with Prometheus evidence before anything moves.
    action: 'run-plan',
    input: 'ab-metrics',
    value: '- {name: orders, better: higher, namespace: Shop, metric: Orders}',
    with: { state: plannedState('ab-testing', { split: '50,50' }), ...PROM },
    says: "metric-source 'prometheus' does not read",
  },
  {
    // Cells for a strategy that neither waves them (rolling) nor flags them (feature-flag).
    action: 'run-plan',
    input: 'cells',
    value: `- {name: a, region: us-east-1, listener-arn: ${LISTENER}, stable-target-group-arn: ${STABLE}, canary-target-group-arn: ${CANARY}}`,
    says: 'not to canary',
  },
  {
    action: 'run-plan',
    input: 'flag-command',
    value: '',
    with: { state: plannedState('feature-flag', { 'flag-command': 'touch /tmp/x' }) },
  },
  // AWS AppConfig flags: formats are refused before any AWS call (nothing moves).
  ...(
    [
      ['flag-provider', 'launchdarkly', 'command or appconfig'],
      ['appconfig-application', 'shop; rm -rf /', 'id (4 to 7'],
      ['appconfig-environment', 'prod`id`', 'id (4 to 7'],
      ['appconfig-profile', '<flags>', 'id (4 to 7'],
      ['flag-name', 'Checkout Flag', 'flag key'],
      ['appconfig-deployment-strategy', 'AllAtOnce|x', 'deployment strategy id'],
    ] as const
  ).map(([input, value, says]): ActionRow => ({
    action: 'run-plan',
    input,
    value,
    says,
    with: {
      state: plannedState(
        'feature-flag',
        input === 'flag-provider' ? { 'flag-command': './flag.sh' } : APPCONFIG_PLAN,
      ),
      ...APPCONFIG_WITH,
    },
  })),
  {
    action: 'run-plan',
    input: 'appconfig-application',
    value: '',
    says: 'required',
    with: { state: plannedState('feature-flag', { 'flag-provider': 'appconfig' }), ...APPCONFIG_WITH },
  },
  {
    action: 'run-plan',
    input: 'flag-command',
    value: 'echo on',
    says: "'flag-provider' is appconfig",
    with: { state: plannedState('feature-flag', APPCONFIG_PLAN), ...APPCONFIG_WITH },
  },
];

const ROLLBACK: ActionRow[] = [
  ...ROUTE_INPUTS('rollback'),
  { action: 'rollback', input: 'state', value: 'not json' },
  // Cells next to a state (here none) that is not over cells.
  { action: 'rollback', input: 'cells', value: '- name: a\n  region: us-east-1', names: 'cells' },
  { action: 'rollback', input: 'rollback-to', value: 'back' },
  { action: 'rollback', input: 'rollback-to', value: 'previous', says: 'no state was given' },
  { action: 'rollback', input: 'to', value: 'yesterday' },
  {
    action: 'rollback',
    input: 'services',
    value: '- name: orders\n  deploy: ./deploy.sh',
    says: 'compensate',
  },
  {
    // A saga state that records a deployed service, and no services to compensate it with.
    action: 'rollback',
    input: 'services',
    value: '',
    with: {
      'listener-arn': '',
      'stable-target-group-arn': '',
      'canary-target-group-arn': '',
      state: plannedState('saga', { services: 'orders,payments' }, (doc) => {
        doc.step = 2;
        doc.status = 'in-progress';
        doc.services = [
          { name: 'orders', status: 'deployed' },
          { name: 'payments', status: 'untouched' },
        ];
      }),
    },
    says: 'orders (deployed)',
  },
];

const RECORD: ActionRow[] = [
  { action: 'record-deployment', input: 'mode', value: 'delete', says: 'record, history, verify, dashboard' },
  { action: 'record-deployment', input: 'token', value: '', says: 'is empty' },
  { action: 'record-deployment', input: 'environment', value: 'prod\nuction' },
  { action: 'record-deployment', input: 'environment', value: '', says: 'required' },
  { action: 'record-deployment', input: 'version', value: 'v1\n::warning::x' },
  { action: 'record-deployment', input: 'version', value: '', says: 'required' },
  { action: 'record-deployment', input: 'strategy', value: 'yolo' },
  { action: 'record-deployment', input: 'state', value: '{' },
  {
    action: 'record-deployment',
    input: 'environment',
    value: 'staging',
    with: { state: plannedState('canary') },
  },
  { action: 'record-deployment', input: 'ref', value: '', says: 'required' },
  { action: 'record-deployment', input: 'environment-url', value: 'javascript:alert(1)' },
  { action: 'record-deployment', input: 'production-environment', value: 'yes' },
  { action: 'record-deployment', input: 'transient-environment', value: 'no' },
  { action: 'record-deployment', input: 'deployment-id', value: '0' },
  { action: 'record-deployment', input: 'status', value: 'done', with: { 'deployment-id': '7' } },
  { action: 'record-deployment', input: 'trace', value: '{"windows": 3}' },
  { action: 'record-deployment', input: 'artifacts', value: '../../../../etc/passwd', says: 'workspace' },
  { action: 'record-deployment', input: 'verify-artifacts', value: 'latest' },
  {
    action: 'record-deployment',
    input: 'verify-artifacts',
    value: '',
    with: { mode: 'verify' },
    says: 'required',
  },
  { action: 'record-deployment', input: 'slack-webhook-url', value: 'http://hooks.example.com/x' },
  { action: 'record-deployment', input: 'publish-metrics', value: 'on' },
  { action: 'record-deployment', input: 'service', value: ':shop' },
  { action: 'record-deployment', input: 'aws-region', value: 'moon' },
  { action: 'record-deployment', input: 'history-limit', value: '0' },
  { action: 'record-deployment', input: 'dora-window', value: '1m' },
  { action: 'record-deployment', input: 'job-status', value: 'exploded', entry: 'post' },
  { action: 'record-deployment', input: 'strategy-source', value: 'a friend' },
  {
    action: 'record-deployment',
    input: 'chosen-by',
    value: '{"source":"label","actor":"octo-dev","label":"deploy:canary\\n::error::x"}',
  },
  {
    action: 'record-deployment',
    input: 'chosen-by',
    value: '{"source":"label","actor":null}',
    with: { 'strategy-source': 'dispatch' },
    names: 'strategy-source',
    says: "disagrees with input 'chosen-by'",
  },
  {
    action: 'record-deployment',
    input: 'trace-dir',
    value: '../../../../tmp/elsewhere',
    with: {
      'deployment-id': '7',
      status: 'succeeded',
      trace: '{"period": "1m", "gates": {}, "windows": []}',
    },
    says: 'outside the workspace',
  },
  { action: 'record-deployment', input: 'trace-dir', value: 'traces', says: "set 'status'" },
  {
    action: 'record-deployment',
    input: 'dashboard-dir',
    value: '../../../../tmp/elsewhere',
    with: { mode: 'dashboard' },
    says: 'outside the workspace',
  },
  { action: 'record-deployment', input: 'dashboard-since', value: 'forever', with: { mode: 'dashboard' } },
  {
    action: 'record-deployment',
    input: 'dashboard-traces',
    value: '../../../../etc',
    with: { mode: 'dashboard' },
    says: 'outside the workspace',
  },
  {
    action: 'record-deployment',
    input: 'dashboard-url',
    value: 'javascript:alert(1)',
    with: { mode: 'dashboard' },
  },
];

/** Every action row. */
export const ACTION_ROWS: ActionRow[] = [...SELECT, ...SHIFT, ...BAKE, ...RUN, ...ROLLBACK, ...RECORD];

/** Every CLI row. */
/** `shiftgate judge` as a backtest and a sweep (issue 15), and `deploy --metric-source`. */
const BT = ['judge', '--source', 'prometheus', '--prometheus-url', 'https://prometheus.example.com'];
const SPAN = ['--from', 'now-1h', '--to', 'now', '--canary', 'web-canary', '--baseline', 'web-stable'];
const BACKTEST_ROWS: CliRow[] = [
  { argv: ['judge', '--source', 'datadog', ...SPAN], flag: 'source', says: 'one of cloudwatch, prometheus' },
  { argv: [...BT, '--from', 'yesterday', '--to', 'now', '--canary', 'a', '--baseline', 'b'], flag: 'from' },
  { argv: [...BT, '--from', 'now-1h', '--to', 'now+1h', '--canary', 'a', '--baseline', 'b'], flag: 'to' },
  { argv: [...BT, '--from', 'now-1h', '--to', 'now-2h', '--canary', 'a', '--baseline', 'b'], flag: 'to' },
  { argv: [...BT, '--from', 'now-1h', '--to', 'now', '--baseline', 'b'], flag: 'canary' },
  { argv: [...BT, ...SPAN.slice(0, 6)], flag: 'baseline' },
  { argv: [...BT, ...SPAN.slice(0, 4), '--canary', 'a"} or up{x="', '--baseline', 'b'], flag: 'canary' },
  { argv: ['judge', '--source', 'prometheus', ...SPAN], flag: 'prometheus-url', says: 'required' },
  { argv: [...BT, ...SPAN, '--prometheus-queries', 'requests: sum(up)'], flag: 'prometheus-queries' },
  { argv: [...BT, ...SPAN, '--prometheus-auth', 'bearer'], flag: 'prometheus-token' },
  { argv: [...BT, ...SPAN, '--max-error-rate', '1O%'], flag: 'max-error-rate' },
  { argv: [...BT, ...SPAN, '--repo', 'acme/shop'], flag: 'repo', says: 'only applies with --sweep' },
  { argv: ['judge', '--source', 'cloudwatch', ...SPAN], flag: 'load-balancer-arn' },
  { argv: ['judge', '--trace', 't.json', '--source', 'prometheus'], flag: 'trace' },
  {
    argv: [
      'judge',
      '--sweep',
      '--source',
      'prometheus',
      '--prometheus-url',
      'https://prometheus.example.com',
      '--environment',
      'production',
    ],
    flag: 'repo',
  },
  {
    argv: [
      'judge',
      '--sweep',
      '--source',
      'prometheus',
      '--prometheus-url',
      'https://prometheus.example.com',
      '--repo',
      'acme',
      '--environment',
      'p',
    ],
    flag: 'repo',
  },
  {
    argv: [
      'judge',
      '--sweep',
      '--source',
      'prometheus',
      '--prometheus-url',
      'https://prometheus.example.com',
      '--repo',
      'acme/shop',
    ],
    flag: 'environment',
  },
  {
    argv: [
      'judge',
      '--sweep',
      '--source',
      'prometheus',
      '--prometheus-url',
      'https://prometheus.example.com',
      '--repo',
      'acme/shop',
      '--environment',
      'p',
      '--from',
      'now',
    ],
    flag: 'from',
  },
  {
    argv: [
      'deploy',
      '--simulate',
      '--strategy',
      'canary',
      '--metric-source',
      'prometheus',
      '--prometheus-auth',
      'sigv4',
      '--prometheus-token',
      'tok',
    ],
    flag: 'prometheus-token',
    says: 'does not apply',
  },
  {
    argv: [
      'deploy',
      '--simulate',
      '--strategy',
      'canary',
      '--prometheus-url',
      'https://prometheus.example.com',
    ],
    flag: 'prometheus-url',
    says: 'only applies',
  },
];

export const CLI_ROWS: CliRow[] = [
  ...BACKTEST_ROWS,
  { argv: ['plan', '--strategy', 'big-bang'], flag: 'strategy' },
  { argv: ['plan', '--strategy', 'canary', '--param', 'steps'], flag: 'param' },
  { argv: ['plan', '--strategy', 'canary', '--parameters', '[1]'], flag: 'parameters' },
  { argv: ['plan', '--strategy', 'canary', '--config', 'missing.yml'], flag: 'config' },
  {
    argv: ['plan', '--strategy', 'canary', '--param', 'steps=5,5,500'],
    flag: 'param',
    names: "'parameters.steps'",
  },
  { argv: ['plan', '--colour'], flag: 'colour' },
  {
    argv: ['deploy', '--simulate', '--strategy', 'canary', '--max-error-rate', '1O%'],
    flag: 'max-error-rate',
  },
  { argv: ['deploy', '--simulate', '--strategy', 'canary', '--bake-time', 'forever'], flag: 'bake-time' },
  { argv: ['deploy', '--simulate', '--strategy', 'canary', '--poll-interval', '5s'], flag: 'poll-interval' },
  { argv: ['deploy', '--simulate', '--strategy', 'canary', '--confidence', '0'], flag: 'confidence' },
  { argv: ['deploy', '--simulate', '--strategy', 'canary', '--seed', 'abc'], flag: 'seed' },
  { argv: ['deploy', '--simulate', '--strategy', 'canary', '--scenario', 'meteor'], flag: 'scenario' },
  {
    argv: ['deploy', '--simulate', '--strategy', 'canary', '--latency-percentile', 'p100'],
    flag: 'latency-percentile',
  },
  { argv: ['deploy', '--simulate', '--strategy', 'saga', '--services', '- name: a'], flag: 'services' },
  {
    argv: ['deploy', '--simulate', '--strategy', 'saga', '--param', 'services=a,b', '--bad-service', 'c'],
    flag: 'bad-service',
  },
  { argv: ['deploy', '--simulate', '--strategy', 'ab-testing', '--b-effect', 'much'], flag: 'b-effect' },
  {
    argv: ['deploy', '--simulate', '--strategy', 'ab-testing', '--ab-metrics', '[{name: x}]'],
    flag: 'ab-metrics',
  },
  { argv: ['deploy', '--simulate', '--strategy', 'rolling', '--cells', 'many'], flag: 'cells' },
  {
    argv: ['deploy', '--simulate', '--strategy', 'rolling', '--cells', '4', '--alarm-cell', 'nope'],
    flag: 'alarm-cell',
  },
  {
    argv: ['deploy', '--simulate', '--strategy', 'rolling', '--cells', '4', '--only-region', 'Mars;1'],
    flag: 'only-region',
  },
  // A region the rollout's cells are not in.
  {
    argv: ['deploy', '--simulate', '--strategy', 'rolling', '--cells', '4', '--only-region', 'eu-west-1'],
    flag: 'only-region',
  },
  {
    argv: ['deploy', '--simulate', '--strategy', 'rolling', '--cells', '4', '--regions', 'mars-1'],
    flag: 'regions',
  },
  { argv: ['deploy', '--simulate', '--strategy', 'rolling', '--cells', '4', '--zones', '0'], flag: 'zones' },
  {
    argv: ['deploy', '--simulate', '--strategy', 'rolling', '--cells', '4', '--bad-cell', 'nope'],
    flag: 'bad-cell',
  },
  {
    argv: ['deploy', '--simulate', '--strategy', 'rolling', '--cells', '4', '--bad-zone', 'nope'],
    flag: 'bad-zone',
  },
  {
    argv: ['deploy', '--simulate', '--strategy', 'canary', '--version', 'v1\n::warning::x'],
    flag: 'version',
  },
  { argv: ['plan', '--strategy', 'canary', '--environment', 'prod\n::warning::x'], flag: 'environment' },
  ...(
    [
      ['flag-provider', 'unleash'],
      ['appconfig-application', 'shop$(id)'],
      ['appconfig-environment', '../prod'],
      ['appconfig-profile', 'flags\n::warning::x'],
      ['flag-name', '9lives'],
      ['appconfig-deployment-strategy', 'AppConfig.All*AtOnce'],
    ] as const
  ).map(([flag, value]) => ({
    argv: [
      'deploy',
      '--simulate',
      '--strategy',
      'feature-flag',
      '--flag-provider',
      'appconfig',
      '--appconfig-application',
      'shop',
      '--appconfig-environment',
      'prod',
      '--appconfig-profile',
      'flags',
      '--flag-name',
      'checkout',
      `--${flag}`,
      value,
    ],
    flag,
  })),
  { argv: ['deploy', '--strategy', 'canary', '--listener-arn', EC2], flag: 'listener-arn' },
  { argv: ['deploy', '--strategy', 'canary', '--rollback-to', 'yesterday'], flag: 'rollback-to' },
  { argv: ['rollback', '--to', 'yesterday', '--listener-arn', LISTENER], flag: 'to' },
  { argv: ['rollback', '--listener-arn', 'nope'], flag: 'listener-arn' },
  {
    argv: ['rollback', '--simulate', '--services', '- name: a\n  deploy: d'],
    flag: 'services',
  },
  { argv: ['rollback', '--config', 'shiftgate.yml', '--listener-arn', LISTENER], flag: 'config' },
  { argv: ['rollback', '--environment', 'production', '--listener-arn', LISTENER], flag: 'environment' },
  {
    argv: ['rollback', '--state', 'saga.json', '--config', 'shiftgate.yml', '--environment', 'staging'],
    flag: 'environment',
    says: 'is not the environment the state was planned for (production)',
    files: SAGA_FILES,
  },
  {
    argv: ['rollback', '--state', 'saga.json', '--config', 'shiftgate.yml', '--environment', 'production'],
    flag: 'environment',
    says: 'has no services in the config file; give --services',
    files: SAGA_FILES,
  },
  { argv: ['history', '--repo', 'not a repo', '--environment', 'production'], flag: 'repo' },
  { argv: ['history', '--repo', 'acme/shop', '--environment', 'production', '--limit', '0'], flag: 'limit' },
  {
    argv: ['history', '--repo', 'acme/shop', '--environment', 'production', '--window', 'ages'],
    flag: 'window',
  },
  { argv: ['dashboard', '--repo', 'not a repo', '--out', 'site'], flag: 'repo' },
  { argv: ['dashboard', '--repo', 'acme/shop'], flag: 'out' },
  { argv: ['dashboard', '--repo', 'acme/shop', '--out', 'site', '--since', '90 days'], flag: 'since' },
  { argv: ['dashboard', '--repo', 'acme/shop', '--out', 'site', '--since', '0d'], flag: 'since' },
  { argv: ['dashboard', '--repo', 'acme/shop', '--out', 'site', '--limit', '10001'], flag: 'limit' },
  { argv: ['dashboard', '--repo', 'acme/shop', '--out', 'site', '--url', 'http://x.example'], flag: 'url' },
  { argv: ['dashboard', '--repo', 'acme/shop', '--out', 'site', '--until', 'soon'], flag: 'until' },
  {
    argv: ['dashboard', '--repo', 'acme/shop', '--out', 'site', '--environment', 'prod\n::warning::x'],
    flag: 'environment',
  },
  { argv: ['dashboard', '--repo', 'acme/shop', '--out', 'site', '--traces', '/no/such/dir'], flag: 'traces' },
  { argv: ['demo', '--seed', 'x'], flag: 'seed' },
  { argv: ['demo', '--speed', 'warp'], flag: 'speed' },
  { argv: ['judge', '--trace', '/etc/shadow'], flag: 'trace', names: '/etc/shadow', hides: 'root:' },
  { argv: ['judge'], flag: 'trace' },
];
