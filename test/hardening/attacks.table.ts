// The attack table: what someone with triage, write, `deployments: write` or a fork could try, and the
// variants of each. Each row is one test (attacks.test.ts) and one count in the README. Pure data.

/** Text that renders as an image, a link and a mention if a summary does not escape it. */
export const HOSTILE_MARKDOWN =
  'v1<img src=x onerror=alert(1)>[Approve](https://evil.example) @acme/admins `x`|y';
/** Fragments that must never reach a summary raw. */
export const RAW_MARKUP = ['<img', '](https://evil.example)', ' @acme/admins', '`x`', '|y'];

export type AttackRow =
  /** select-strategy on a pull request event: who added the label decides, forks are refused. */
  | {
      kind: 'label';
      name: string;
      eventName: string;
      action: string;
      sender: string;
      /** Who added the label, oldest first, as the issue events list them (null: a deleted account). */
      timeline?: { event: 'labeled' | 'unlabeled'; label: string; actor: string | null }[];
      fork?: boolean;
      /** The events API fails with this status. */
      eventsFail?: number;
      allowed: boolean;
      says: string;
    }
  /** run-plan with a rollout state that carries a command of its own. */
  | { kind: 'state-command'; name: string; flagCommand: string; says: string }
  /** A workflow command smuggled into the log through data. */
  | {
      kind: 'log-command';
      name: string;
      where: 'state step name' | 'state version' | 'rollback reason' | 'description input';
      value: string;
    }
  /** Hostile Markdown/HTML in a value that reaches a job summary. */
  | { kind: 'summary'; name: string; summary: 'record' | 'history' | 'run-plan' | 'rollback'; field: string }
  /** A path that leads out of the workspace. */
  | {
      kind: 'path';
      name: string;
      input: 'config' | 'artifacts' | 'payload artifact';
      path: string;
      /** Make `path` a symlink in the workspace to this target. */
      symlinkTo?: string;
    }
  /** Terminal control characters in text that ends up in an error. */
  | { kind: 'control'; name: string; char: string };

const PASSWD = '../../../../etc/passwd';

export const ATTACK_ROWS: AttackRow[] = [
  // Who added the label: the adder's permission, not the sender's.
  {
    kind: 'label',
    name: 'a triage label merged by a maintainer (pull_request closed)',
    eventName: 'pull_request',
    action: 'closed',
    sender: 'maude',
    timeline: [{ event: 'labeled', label: 'deploy:linear', actor: 'trudy' }],
    allowed: false,
    says: "trudy (who added the label 'deploy:linear') has 'triage' permission",
  },
  {
    kind: 'label',
    name: 'a triage label, then a maintainer pushes (synchronize)',
    eventName: 'pull_request',
    action: 'synchronize',
    sender: 'maude',
    timeline: [{ event: 'labeled', label: 'deploy:linear', actor: 'trudy' }],
    allowed: false,
    says: "trudy (who added the label 'deploy:linear') has 'triage' permission",
  },
  {
    kind: 'label',
    name: 'a triage label, then a maintainer approves (pull_request_review)',
    eventName: 'pull_request_review',
    action: 'submitted',
    sender: 'maude',
    timeline: [{ event: 'labeled', label: 'deploy:linear', actor: 'trudy' }],
    allowed: false,
    says: "trudy (who added the label 'deploy:linear') has 'triage' permission",
  },
  {
    kind: 'label',
    name: 'a triage user labels the pull request themselves',
    eventName: 'pull_request',
    action: 'labeled',
    sender: 'trudy',
    allowed: false,
    says: "trudy (who added the label 'deploy:linear') has 'triage' permission",
  },
  {
    kind: 'label',
    name: 'a maintainer labels, a triage user removes and adds it again',
    eventName: 'pull_request',
    action: 'closed',
    sender: 'maude',
    timeline: [
      { event: 'labeled', label: 'deploy:linear', actor: 'maude' },
      { event: 'unlabeled', label: 'deploy:linear', actor: 'trudy' },
      { event: 'labeled', label: 'deploy:linear', actor: 'trudy' },
    ],
    allowed: false,
    says: "trudy (who added the label 'deploy:linear') has 'triage' permission",
  },
  {
    kind: 'label',
    name: 'the label was added by a deleted account',
    eventName: 'pull_request',
    action: 'closed',
    sender: 'maude',
    timeline: [{ event: 'labeled', label: 'deploy:linear', actor: null }],
    allowed: false,
    says: 'deleted',
  },
  {
    kind: 'label',
    name: 'the issue events cannot be read (fail closed)',
    eventName: 'pull_request',
    action: 'closed',
    sender: 'maude',
    eventsFail: 500,
    allowed: false,
    says: 'refuses to deploy when it cannot tell who chose the strategy',
  },
  {
    kind: 'label',
    name: 'a custom role built on write is allowed (base permission first)',
    eventName: 'pull_request',
    action: 'labeled',
    sender: 'carol',
    allowed: true,
    says: "The label 'deploy:linear' was added by carol",
  },
  {
    kind: 'label',
    name: 'a custom role named like a deployer but built on read is refused',
    eventName: 'pull_request',
    action: 'labeled',
    sender: 'rita',
    allowed: false,
    says: 'rita',
  },
  // Forks: refused on every event that carries a pull request.
  ...(
    ['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment'] as const
  ).map((eventName) => ({
    kind: 'label' as const,
    name: `a fork pull request on ${eventName}, labelled by an admin`,
    eventName,
    action:
      eventName === 'pull_request_review'
        ? 'submitted'
        : eventName.endsWith('comment')
          ? 'created'
          : 'labeled',
    sender: 'alice',
    timeline: [{ event: 'labeled' as const, label: 'deploy:linear', actor: 'alice' }],
    fork: true,
    allowed: false,
    says: 'fork',
  })),
  // A state is data, never code.
  {
    kind: 'state-command',
    name: "a state's flag step carries a command and the run has none",
    flagCommand: '',
    says: 'The rollout state carries a command of its own, which shiftgate never runs',
  },
  {
    kind: 'state-command',
    name: "a state's flag step carries a command other than the run's",
    flagCommand: 'echo configured',
    says: "carries a flag command that differs from this run's 'flag-command'",
  },
  {
    kind: 'log-command',
    name: 'a state step name carrying a workflow command',
    where: 'state step name',
    value: 'pre-switch\n::warning::pwned',
  },
  {
    kind: 'log-command',
    name: 'a state version carrying a workflow command',
    where: 'state version',
    value: 'v1\n::error::pwned',
  },
  {
    kind: 'log-command',
    name: 'a rollback reason carrying a workflow command',
    where: 'rollback reason',
    value: 'flaky\n::warning::pwned',
  },
  {
    kind: 'log-command',
    name: 'a long description carrying a workflow command, quoted when cut',
    where: 'description input',
    value: `ok\n::warning::pwned ${'x'.repeat(150)}`,
  },
  // Summaries escape what they show.
  { kind: 'summary', name: 'a hostile version in the record summary', summary: 'record', field: 'version' },
  {
    kind: 'summary',
    name: 'a hostile environment in the record summary',
    summary: 'record',
    field: 'environment',
  },
  {
    kind: 'summary',
    name: 'a hostile version in a recorded payload, in the history summary',
    summary: 'history',
    field: 'version',
  },
  {
    kind: 'summary',
    name: "a hostile step name from the state in run-plan's summary",
    summary: 'run-plan',
    field: 'version',
  },
  { kind: 'summary', name: 'a hostile reason in the rollback summary', summary: 'rollback', field: 'reason' },
  // Paths stay in the workspace.
  { kind: 'path', name: 'config: /etc/shadow', input: 'config', path: '/etc/shadow' },
  { kind: 'path', name: 'config climbing out with ../', input: 'config', path: PASSWD },
  {
    kind: 'path',
    name: 'config through a symlink in the workspace',
    input: 'config',
    path: '.github/shiftgate.yml',
    symlinkTo: '/etc/passwd',
  },
  { kind: 'path', name: 'an artifact climbing out with ../', input: 'artifacts', path: PASSWD },
  {
    kind: 'path',
    name: 'an artifact through a symlink in the workspace',
    input: 'artifacts',
    path: 'dist/image.tar',
    symlinkTo: '/etc/passwd',
  },
  {
    kind: 'path',
    name: 'a recorded payload naming ../../../../etc/passwd, verified',
    input: 'payload artifact',
    path: PASSWD,
  },
  // Control characters never reach the log raw.
  { kind: 'control', name: 'ESC in an error', char: '\u001b' },
  { kind: 'control', name: 'BEL in an error', char: '\u0007' },
  { kind: 'control', name: 'U+202E (right-to-left override) in an error', char: '\u202e' },
  { kind: 'control', name: 'U+2066 (left-to-right isolate) in an error', char: '\u2066' },
  { kind: 'control', name: 'a C1 control (U+009B, CSI) in an error', char: '\u009b' },
];
