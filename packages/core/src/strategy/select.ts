import { InputError } from '../shared/index';
import type { ShiftgateConfig } from '../config/index';
import { STRATEGY_ALIASES, parseStrategyName } from './catalogue';
import { STRATEGY_NAMES, type StrategyName } from './steps';

/** Where the chosen strategy came from, in precedence order. */
export const SELECTION_SOURCES = ['input', 'dispatch', 'label', 'config', 'default'] as const;
export type SelectionSource = (typeof SELECTION_SOURCES)[number];

/** The pull request facts selection needs, read from the event payload. */
export interface PullRequestFacts {
  number: number;
  labels: string[];
  /** `owner/name` of the head repository; `null` when the fork was deleted. */
  headRepository: string | null;
  baseRepository: string;
}

/** What the event says, reduced to what selection needs. */
export interface EventFacts {
  name: string;
  /** `workflow_dispatch` input `strategy`, if the event has one. */
  dispatchStrategy: string | null;
  pullRequest: PullRequestFacts | null;
  /** Login of the person whose action triggered the run. */
  sender: string | null;
  /** The event's `action` (`labeled`, `closed`, `synchronize`, …), or null. */
  action: string | null;
  /** On a `labeled` event, the label that was added; otherwise null. */
  addedLabel: string | null;
}

/** A selection refused: the message says what happened and what to do. */
export class SelectionError extends Error {
  override readonly name = 'SelectionError';
}

/** The result of selection. */
export interface Selection {
  strategy: StrategyName;
  source: SelectionSource;
  /** The label that chose the strategy (source `label`), sanitised for display. */
  label: string | null;
  /**
   * The same label exactly as the event carries it, to look up who added it; never for display (it is
   * untrusted text: show {@link Selection.label} instead).
   */
  labelName: string | null;
  /** Whether the permission of whoever added the label must be checked (strategy chosen by a label). */
  needsPermissionCheck: boolean;
}

/** What selection is decided from. */
export interface SelectOptions {
  strategyInput: string;
  event: EventFacts;
  labelPrefix: string;
  config: ShiftgateConfig;
  environment: string | null;
  defaultStrategy: StrategyName;
  allowForks: boolean;
}

/**
 * True for the events that carry a pull request: `pull_request`, `pull_request_target`,
 * `pull_request_review` and `pull_request_review_comment` (all of `pull_request*`).
 */
export function isPullRequestEvent(name: string): boolean {
  return name.startsWith('pull_request');
}

/**
 * Makes untrusted text (label names, logins) safe to show: printable characters only, no workflow-command
 * prefix, bounded length. The result is for messages; it is never passed to a shell.
 */
export function displayUntrusted(text: string): string {
  const printable = [...text]
    .map((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) ? '?' : ch;
    })
    .join('')
    .replace(/::/g, ': :');
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}

/**
 * Picks the strategy: `strategy` input > `workflow_dispatch` input > PR `deploy:` label > the environment's
 * config default > the config file's default > `default-strategy`. Refuses fork PRs (unless allowed), two
 * different deploy labels, unknown deploy labels, and strategies the environment does not allow.
 */
export function selectStrategy(options: SelectOptions): Selection {
  const { event, config, environment } = options;
  const pr = isPullRequestEvent(event.name) ? event.pullRequest : null;
  if (pr && !options.allowForks && pr.headRepository !== pr.baseRepository) {
    throw new SelectionError(
      `Pull request #${pr.number} comes from a fork (${displayUntrusted(pr.headRepository ?? 'a deleted repository')}); ` +
        `shiftgate does not deploy fork pull requests unless 'allow-forks' is 'true'. Review the change and deploy it ` +
        'from a branch of this repository, or run the workflow by hand (workflow_dispatch).',
    );
  }
  let selection: Selection;
  if (options.strategyInput.trim() !== '') {
    selection = {
      strategy: parseStrategyName('strategy', options.strategyInput),
      source: 'input',
      label: null,
      labelName: null,
      needsPermissionCheck: false,
    };
  } else if (
    event.name === 'workflow_dispatch' &&
    event.dispatchStrategy &&
    event.dispatchStrategy.trim() !== ''
  ) {
    let strategy: StrategyName;
    try {
      strategy = parseStrategyName('strategy', event.dispatchStrategy);
    } catch {
      throw new InputError('strategy', event.dispatchStrategy, '', {
        message: `The workflow_dispatch input 'strategy' must be one of ${STRATEGY_NAMES.join(', ')}, got '${displayUntrusted(event.dispatchStrategy)}'`,
      });
    }
    selection = { strategy, source: 'dispatch', label: null, labelName: null, needsPermissionCheck: false };
  } else {
    selection = fromLabels(pr, options.labelPrefix) ?? fromConfig(options);
  }
  const allowed = environment ? config.environments[environment]?.['allowed-strategies'] : null;
  if (allowed && !allowed.includes(selection.strategy)) {
    const from =
      selection.source === 'label'
        ? `label '${selection.label}'`
        : selection.source === 'input'
          ? "input 'strategy'"
          : selection.source;
    throw new SelectionError(
      `Strategy ${selection.strategy} (from ${from}) is not allowed in environment '${environment}'; ` +
        `.github/shiftgate.yml allows ${allowed.join(', ')}. Pick one of those${selection.source === 'label' ? ' (change the label)' : ''}, ` +
        `or add ${selection.strategy} to environments.${environment}.allowed-strategies.`,
    );
  }
  return selection;
}

function fromLabels(pr: PullRequestFacts | null, prefix: string): Selection | null {
  if (!pr || prefix === '') return null;
  const deployLabels = [
    ...new Set(pr.labels.filter((label) => label.toLowerCase().startsWith(prefix.toLowerCase()))),
  ];
  if (deployLabels.length === 0) return null;
  const valid = [...STRATEGY_NAMES, ...Object.keys(STRATEGY_ALIASES)].map((name) => `${prefix}${name}`);
  const chosen = deployLabels.map((label) => {
    try {
      return { label, strategy: parseStrategyName('label', label.slice(prefix.length)) };
    } catch {
      throw new SelectionError(
        `Pull request #${pr.number} has the label '${displayUntrusted(label)}', which names no strategy. ` +
          `Valid labels: ${valid.join(', ')}. Remove it or replace it with one of those.`,
      );
    }
  });
  const strategies = new Set(chosen.map((c) => c.strategy));
  if (strategies.size > 1) {
    const [a, b] = chosen;
    throw new SelectionError(
      `Pull request #${pr.number} has two deploy labels, '${displayUntrusted(a?.label ?? '')}' and ` +
        `'${displayUntrusted(b?.label ?? '')}'; keep exactly one ${prefix}<strategy> label and run again.`,
    );
  }
  const [first] = chosen;
  if (!first) return null;
  return {
    strategy: first.strategy,
    source: 'label',
    label: displayUntrusted(first.label),
    labelName: first.label,
    needsPermissionCheck: true,
  };
}

function fromConfig(options: SelectOptions): Selection {
  const env = options.environment ? options.config.environments[options.environment] : undefined;
  const allowed = env?.['allowed-strategies'];
  const permitted = (name: StrategyName | null | undefined): name is StrategyName =>
    !!name && (!allowed || allowed.includes(name));
  const pick = (strategy: StrategyName, source: SelectionSource): Selection => ({
    strategy,
    source,
    label: null,
    labelName: null,
    needsPermissionCheck: false,
  });
  if (env?.['default-strategy']) return pick(env['default-strategy'], 'config');
  // The file-wide default and the fallback input only apply where the environment allows them; otherwise
  // the environment's first allowed strategy is its default.
  if (permitted(options.config['default-strategy']))
    return pick(options.config['default-strategy'], 'config');
  if (permitted(options.defaultStrategy)) return pick(options.defaultStrategy, 'default');
  return pick((allowed as StrategyName[])[0] as StrategyName, 'config');
}

/** Repository roles from least to most, as the collaborator permission API names them. */
export const PERMISSION_LEVELS = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

/** Parses `require-permission`: a role, or `none` to turn the check off. */
export function parseRequiredPermission(input: string, value: string): PermissionLevel | 'none' {
  const text = value.trim().toLowerCase();
  if (text === 'none' || (PERMISSION_LEVELS as readonly string[]).includes(text))
    return text as PermissionLevel | 'none';
  throw new InputError(input, value, `one of ${PERMISSION_LEVELS.join(', ')} or none`);
}

/** True when `actual` is at least `required`. Unknown roles rank as none. */
export function hasPermission(actual: string, required: PermissionLevel): boolean {
  const rank = (role: string) => (PERMISSION_LEVELS as readonly string[]).indexOf(role);
  return rank(actual) >= rank(required);
}
