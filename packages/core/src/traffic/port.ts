// The traffic router port and the typed errors routes fail with. Adapters (ELBv2, the simulator) read
// and write one route at a time; everything above that (compare-and-set, read-back, all or nothing)
// lives in the other files of this folder.
import type { TargetWeight } from '../rollout/index';

/** A listener's default action (ModifyListener) or a listener rule (ModifyRule). */
export type RouteKind = 'listener' | 'rule';

/**
 * What a router read from one route: the target groups of its forward action, in the order the
 * provider reports them. Adapters return their own subtype carrying whatever else they need to write
 * the route back unchanged (the other actions, the stickiness config); core never looks inside.
 */
export interface RouteReading {
  route: string;
  kind: RouteKind;
  'target-groups': TargetWeight[];
}

/** The exact request a write would send, for dry runs and debug logs. */
export interface WritePreview {
  route: string;
  /** The provider's operation name, e.g. `ModifyListener`. */
  operation: string;
  /** The request parameters, exactly as they would be sent. */
  request: unknown;
}

/**
 * The traffic router port. Adapters are thin: they read and write one route at a time. Compare-and-set,
 * read-back verification, and all-or-nothing changes across routes are done here in core, so every
 * adapter (AWS, the simulator) gets them for free.
 */
export interface TrafficRouter {
  /** Reads the route's forward action. Throws a {@link RouterError} or {@link ForwardActionError}. */
  read(route: string): Promise<RouteReading>;
  /** The request {@link write} would send for this reading and these target groups. */
  preview(reading: RouteReading, targetGroups: TargetWeight[]): WritePreview;
  /**
   * Writes the route as `reading` holds it, with only the forward action's target groups replaced by
   * `targetGroups`; every other action, the action order and the stickiness config are sent back as read.
   */
  write(reading: RouteReading, targetGroups: TargetWeight[]): Promise<void>;
  /** The load balancer a route belongs to. */
  loadBalancerOf(reading: RouteReading): Promise<string>;
}

/**
 * A provider call that failed. `rejected` tells whether the provider certainly refused the request (a
 * 4xx answer: nothing changed) or the outcome is unknown (a 5xx answer, a timeout, a lost response),
 * in which case a write must be checked by reading the route back.
 */
export class RouterError extends Error {
  override name = 'RouterError';
  /** The provider operation, e.g. `ModifyRule`. */
  readonly operation: string;
  /** The route (listener or rule ARN) the call was about. */
  readonly route: string;
  /** The provider's error code (`ListenerNotFound`, `Throttling`, …) or a transport code. */
  readonly code: string;
  /** True when the request was refused and changed nothing; false when its outcome is unknown. */
  readonly rejected: boolean;

  constructor(options: {
    operation: string;
    route: string;
    code: string;
    rejected: boolean;
    message: string;
    cause?: unknown;
  }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = options.operation;
    this.route = options.route;
    this.code = options.code;
    this.rejected = options.rejected;
  }
}

/** A route's forward action cannot be changed the way it was asked (no forward action, limits, …). */
export class ForwardActionError extends Error {
  override name = 'ForwardActionError';
  readonly route: string;
  readonly reason:
    | 'no-forward-action'
    | 'stable-missing'
    | 'too-many-target-groups'
    | 'inexact-split'
    | 'weight-limit'
    | 'default-rule'
    | 'unreadable';

  constructor(route: string, reason: ForwardActionError['reason'], message: string) {
    super(message);
    this.route = route;
    this.reason = reason;
  }
}

/** The route does not carry the weights the rollout expects: someone else moved traffic. */
export class WeightsChangedError extends Error {
  override name = 'WeightsChangedError';
  readonly route: string;
  readonly found: TargetWeight[];
  constructor(route: string, found: TargetWeight[], message: string) {
    super(message);
    this.route = route;
    this.found = found;
  }
}

/** After a write, the route never read back the written weights within the verification bound. */
export class WeightsNotVerifiedError extends Error {
  override name = 'WeightsNotVerifiedError';
  readonly route: string;
  /** What the last read-back found, or null when every read-back failed. */
  readonly found: TargetWeight[] | null;
  constructor(route: string, found: TargetWeight[] | null, message: string) {
    super(message);
    this.route = route;
    this.found = found;
  }
}

/** The outcome of one route in a change that failed, for the error message and for callers. */
export interface RouteOutcome {
  route: string;
  /** `unchanged`: never written; `put-back`: restored and verified; `changed`: left as changed; `unknown`: could not tell. */
  status: 'unchanged' | 'put-back' | 'changed' | 'unknown';
  /** What the route holds now, when known. */
  now: TargetWeight[] | null;
  detail?: string;
}

/** What one route was asked to return to, and how it went. */
export interface RestoreResult {
  route: string;
  before: TargetWeight[];
  after: TargetWeight[];
  changed: boolean;
}

/**
 * A change across routes failed. The message says what failed and, route by route, what was put back
 * and what is left behind, so a person can act on it without reading logs.
 */
export class RouteTransactionError extends Error {
  override name = 'RouteTransactionError';
  override readonly cause: unknown;
  readonly outcomes: RouteOutcome[];
  /** Best-effort changes (rollback, restore): the routes that were handled before the error was raised. */
  readonly results: RestoreResult[];
  constructor(message: string, cause: unknown, outcomes: RouteOutcome[], results: RestoreResult[] = []) {
    super(message);
    this.cause = cause;
    this.outcomes = outcomes;
    this.results = results;
  }
}
