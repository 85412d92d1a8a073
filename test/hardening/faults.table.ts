// The fault table: every AWS and GitHub call shiftgate makes, under throttling, 5xx, a timeout and a
// lost response, briefly (the SDK or Octokit retries through it) and for good (the run must end safely);
// a cancel (SIGTERM) in each phase of a run; and a runner killed before the post step. Each row is one
// test (faults.test.ts) and one count in the README. Pure data: no vitest here.

/** How a call fails. `lost`: the provider did the work but the answer never arrived. */
export const FAULT_KINDS = ['throttling', '5xx', 'timeout', 'lost response'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * The AWS calls shiftgate makes: run-plan's ELBv2 reads and writes of a listener (DescribeListeners,
 * ModifyListener) or of a listener rule given as `rule-arn` (DescribeRules, ModifyRule), CloudWatch for
 * the gate (GetMetricData, DescribeAlarms), and record-deployment's `publish-metrics` (PutMetricData).
 */
export const AWS_CALLS = [
  'DescribeListeners',
  'ModifyListener',
  'DescribeRules',
  'ModifyRule',
  'GetMetricData',
  'DescribeAlarms',
  'PutMetricData',
] as const;
export type AwsCall = (typeof AWS_CALLS)[number];

/** The GitHub calls record-deployment makes to start a deployment, record its outcome and finish it. */
export const GITHUB_CALLS = ['create deployment', 'create status', 'read statuses'] as const;
export type GitHubCall = (typeof GITHUB_CALLS)[number];

/**
 * The GitHub reads of record-deployment's `mode: history`: the deployments list, each deployment's
 * statuses, and the commit of each success (lead time).
 */
export const HISTORY_CALLS = ['list deployments', 'read history statuses', 'read commit'] as const;
export type HistoryCall = (typeof HISTORY_CALLS)[number];

/**
 * record-deployment's read of who approved the environment for the run (GitHub's run approvals), when a
 * deployment starts. Informational: under a lasting fault the deployment starts all the same, with the
 * approvals unknown and a warning.
 */
export const APPROVAL_CALLS = ['read run approvals'] as const;

export interface ApprovalRow {
  call: (typeof APPROVAL_CALLS)[number];
  fault: FaultKind;
  span: 'brief' | 'lasting';
}

/**
 * The GitHub reads of record-deployment's `mode: dashboard`: every environment's deployments with their
 * statuses and commit times (GraphQL), the statuses of a deployment with more than GraphQL's page of
 * them (REST), and who approved the runs whose records do not say (GraphQL).
 */
export const DASHBOARD_CALLS = [
  'list dashboard deployments (GraphQL)',
  'read statuses beyond 100 (REST)',
  'read approvals at build time (GraphQL)',
] as const;

export interface DashboardRow {
  call: (typeof DASHBOARD_CALLS)[number];
  fault: FaultKind;
  span: 'brief' | 'lasting';
}

/** GraphQL answers that are a 200 and still wrong: `errors` beside the data, and nodes of the wrong shape. */
export const GRAPHQL_ANSWERS = ['errors with 200', 'malformed nodes'] as const;

export interface GraphQLAnswerRow {
  call: 'list dashboard deployments (GraphQL)' | 'read approvals at build time (GraphQL)';
  answer: (typeof GRAPHQL_ANSWERS)[number];
}

export interface HistoryRow {
  call: HistoryCall;
  fault: FaultKind;
  span: 'brief' | 'lasting';
}

/**
 * The Slack webhook of a terminal status. It is posted once, never retried (a resend could post twice),
 * so only the lasting rows mean anything; `timeout` is left out: the webhook's 10 s limit is fixed.
 */
export const NOTIFY_ROWS: { call: 'post notification'; fault: Exclude<FaultKind, 'timeout'> }[] = (
  ['throttling', '5xx', 'lost response'] as const
).map((fault) => ({ call: 'post notification', fault }));

/**
 * The GitHub reads of select-strategy's label check: who added the label (the pull request's issue
 * events) and their permission, through the one client factory: a brief fault is retried through (the
 * strategy is chosen), a lasting one fails closed (the step fails, no outputs); a hung request is
 * abandoned at the request time limit.
 */
export const SELECT_CALLS = ['read permission', 'read issue events'] as const;
export type SelectCall = (typeof SELECT_CALLS)[number];

export interface SelectRow {
  call: SelectCall;
  fault: FaultKind;
  span: 'brief' | 'lasting';
}

export interface AwsRow {
  call: AwsCall;
  fault: FaultKind;
  /** `brief`: the first attempt fails; `lasting`: every attempt of the run fails. */
  span: 'brief' | 'lasting';
}

export interface GitHubRow {
  call: GitHubCall;
  fault: FaultKind;
  span: 'brief' | 'lasting';
}

/** A cancel after the n-th wait of a run, named by the phase it lands in. */
export interface CancelRow {
  phase: string;
  strategy: 'canary' | 'blue-green' | 'linear';
  afterSleeps: number;
}

/** The main step dies (no restore of its own) after the n-th wait; the post step must put traffic back. */
export interface KillRow {
  phase: string;
  strategy: 'canary' | 'blue-green' | 'linear';
  afterSleeps: number;
}

const spans = ['brief', 'lasting'] as const;

export const AWS_ROWS: AwsRow[] = AWS_CALLS.flatMap((call) =>
  FAULT_KINDS.flatMap((fault) => spans.map((span) => ({ call, fault, span }))),
);

export const GITHUB_ROWS: GitHubRow[] = GITHUB_CALLS.flatMap((call) =>
  FAULT_KINDS.flatMap((fault) => spans.map((span) => ({ call, fault, span }))),
);

/**
 * The A/B audience rule calls of run-plan (CreateRule, which also carries the AddTags of its tags;
 * DescribeTags; DeleteRule) under 5xx and a lost response. Throttling and timeouts are left out: they go
 * through run-plan's own ELBv2 client, whose real backoff and 30 s timeout would cost seconds a row. A
 * lost CreateRule answer is adopted (the resend meets PriorityInUse; the rule is found by its tag).
 * Under a lasting DeleteRule or DescribeTags fault after the rule exists, the main step retries, then
 * fails naming the rule; the post step fails naming it too while the fault lasts, and removes it after.
 */
export const AUDIENCE_ROWS: {
  call: 'CreateRule' | 'DeleteRule' | 'DescribeTags';
  fault: '5xx' | 'lost response';
  span: 'brief' | 'lasting';
}[] = [
  ...(['CreateRule', 'DeleteRule', 'DescribeTags'] as const).flatMap((call) =>
    (['5xx', 'lost response'] as const).map((fault) => ({ call, fault, span: 'brief' as const })),
  ),
  { call: 'CreateRule', fault: '5xx', span: 'lasting' },
  { call: 'CreateRule', fault: 'lost response', span: 'lasting' },
  { call: 'DeleteRule', fault: '5xx', span: 'lasting' },
  { call: 'DeleteRule', fault: 'lost response', span: 'lasting' },
  { call: 'DescribeTags', fault: '5xx', span: 'lasting' },
  { call: 'DescribeTags', fault: 'lost response', span: 'lasting' },
];

export const SELECT_ROWS: SelectRow[] = SELECT_CALLS.flatMap((call) =>
  FAULT_KINDS.flatMap((fault) => spans.map((span) => ({ call, fault, span }))),
);

export const APPROVAL_ROWS: ApprovalRow[] = APPROVAL_CALLS.flatMap((call) =>
  FAULT_KINDS.flatMap((fault) => spans.map((span) => ({ call, fault, span }))),
);

export const DASHBOARD_ROWS: DashboardRow[] = DASHBOARD_CALLS.flatMap((call) =>
  FAULT_KINDS.flatMap((fault) => spans.map((span) => ({ call, fault, span }))),
);

export const GRAPHQL_ANSWER_ROWS: GraphQLAnswerRow[] = (
  ['list dashboard deployments (GraphQL)', 'read approvals at build time (GraphQL)'] as const
).flatMap((call) => GRAPHQL_ANSWERS.map((answer) => ({ call, answer })));

export const HISTORY_ROWS: HistoryRow[] = HISTORY_CALLS.flatMap((call) =>
  FAULT_KINDS.flatMap((fault) => spans.map((span) => ({ call, fault, span }))),
);

// A canary of 10, 50, 100 with 3m bakes waits 6 times (3 per bake); blue-green and linear (50, 100) wait
// 3 times in the bake after their first shift.
export const CANCEL_ROWS: CancelRow[] = [
  { phase: 'start of the first canary bake', strategy: 'canary', afterSleeps: 1 },
  { phase: 'middle of the first canary bake', strategy: 'canary', afterSleeps: 2 },
  { phase: 'start of the second canary bake', strategy: 'canary', afterSleeps: 4 },
  { phase: 'middle of the second canary bake', strategy: 'canary', afterSleeps: 5 },
  { phase: 'start of the bake after a blue-green switch', strategy: 'blue-green', afterSleeps: 1 },
  { phase: 'end of the bake after a blue-green switch', strategy: 'blue-green', afterSleeps: 3 },
  { phase: 'the first linear bake', strategy: 'linear', afterSleeps: 2 },
];

export const KILL_ROWS: KillRow[] = [
  { phase: 'the first canary bake', strategy: 'canary', afterSleeps: 2 },
  { phase: 'the second canary bake', strategy: 'canary', afterSleeps: 5 },
  { phase: 'the bake after a blue-green switch', strategy: 'blue-green', afterSleeps: 2 },
];

/**
 * The Prometheus source's range query (metric-source prometheus, issue 15) in a run-plan bake, under 429,
 * 5xx, a time-out and a lost response: brief (the client's own retry passes it) and lasting (the polls
 * fail, the bake ends with Error, traffic goes back to stable).
 */
export const PROMETHEUS_ROWS: { call: 'query_range'; fault: FaultKind; span: 'brief' | 'lasting' }[] =
  FAULT_KINDS.flatMap((fault) => spans.map((span) => ({ call: 'query_range' as const, fault, span })));

/**
 * The AWS AppConfig calls of a feature-flag rollout with flag-provider appconfig: the preflight reads
 * (names to ids, the profile, the live version and its content), the writes of each step
 * (CreateHostedConfigurationVersion, StartDeployment), the watch (GetDeployment) and the stop on a breach
 * (StopDeployment). Each under every fault, briefly and for good (appconfig-faults.test.ts).
 */
export const APPCONFIG_CALLS = [
  'ListApplications',
  'ListEnvironments',
  'ListConfigurationProfiles',
  'GetConfigurationProfile',
  'ListDeployments',
  'GetHostedConfigurationVersion',
  'CreateHostedConfigurationVersion',
  'StartDeployment',
  'GetDeployment',
  'StopDeployment',
] as const;

export const APPCONFIG_ROWS: {
  call: (typeof APPCONFIG_CALLS)[number];
  fault: FaultKind;
  span: 'brief' | 'lasting';
}[] = APPCONFIG_CALLS.flatMap((call) =>
  FAULT_KINDS.flatMap((fault) => spans.map((span) => ({ call, fault, span }))),
);
