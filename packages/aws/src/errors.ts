import { errorMessage, RouterError } from '@shiftgate/core';

/** What an ELBv2 call was doing when it failed. */
export interface CallContext {
  /** The ELBv2 operation, e.g. `ModifyListener`. */
  operation: string;
  /** The listener or rule ARN. */
  route: string;
}

/** The listener does not exist (or is not visible to these credentials in this region). */
export class ListenerNotFoundError extends RouterError {
  override name = 'ListenerNotFoundError';
}

/** The rule does not exist (or is not visible to these credentials in this region). */
export class RuleNotFoundError extends RouterError {
  override name = 'RuleNotFoundError';
}

/** A target group does not exist. */
export class TargetGroupNotFoundError extends RouterError {
  override name = 'TargetGroupNotFoundError';
}

/**
 * A target-group limit: a target group already used by another load balancer
 * (`TargetGroupAssociationLimit`), too many target groups in one action or account
 * (`TooManyTargetGroups`), or on one load balancer (`TooManyUniqueTargetGroupsPerLoadBalancer`).
 */
export class TargetGroupLimitError extends RouterError {
  override name = 'TargetGroupLimitError';
}

/** ELBv2 refused the configuration (`InvalidConfigurationRequest`, `InvalidLoadBalancerAction`, …). */
export class InvalidConfigurationError extends RouterError {
  override name = 'InvalidConfigurationError';
}

/** The credentials lack an IAM permission; `iamAction` names it. */
export class AccessDeniedError extends RouterError {
  override name = 'AccessDeniedError';
  readonly iamAction: string;
  constructor(options: ConstructorParameters<typeof RouterError>[0] & { iamAction: string }) {
    super(options);
    this.iamAction = options.iamAction;
  }
}

/** ELBv2 kept throttling after the SDK spent its retries. */
export class ThrottledError extends RouterError {
  override name = 'ThrottledError';
  /** Attempts made, as the SDK counts them. */
  readonly attempts: number;
  constructor(options: ConstructorParameters<typeof RouterError>[0] & { attempts: number }) {
    super(options);
    this.attempts = options.attempts;
  }
}

/** No usable AWS credentials in the default chain. */
export class CredentialsError extends RouterError {
  override name = 'CredentialsError';
}

/** Any other ELBv2 or transport failure. `rejected` says whether the request certainly changed nothing. */
export class Elbv2Error extends RouterError {
  override name = 'Elbv2Error';
}

/** The shape of SDK errors this module reads (service exceptions, transport errors, credential errors). */
interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $retryable?: { throttling?: boolean };
}

const SUFFIX = /Exception$/;

// The SDK's own list of throttling codes (@smithy service-error-classification), for ELBv2's "Throttling".
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'PriorRequestNotComplete',
  'SlowDown',
]);

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
]);

const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
]);

/**
 * Turns whatever an ELBv2 call threw into a typed {@link RouterError} whose message says what was being
 * done, what went wrong in words, and the provider's own code and message:
 * `ModifyListener on <arn> failed: the listener does not exist (ListenerNotFound: …)`.
 */
export function toRouterError(error: unknown, context: CallContext): RouterError {
  if (error instanceof RouterError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const rawName = e.Code ?? e.name ?? 'Error';
  const code = e.$fault ? rawName.replace(SUFFIX, '') : (e.code ?? rawName);
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts ?? 1;
  const detail = `${code}: ${e.message ?? errorMessage(error)}`;
  const base = { operation: context.operation, route: context.route, code, cause: error };
  const what = `${context.operation} on ${context.route} failed`;
  const kind = context.route.includes(':listener-rule/') ? 'rule' : 'listener';

  if (code === 'ListenerNotFound') {
    return new ListenerNotFoundError({
      ...base,
      rejected: true,
      message: `${what}: the listener does not exist in this account and region (${detail})`,
    });
  }
  if (code === 'RuleNotFound') {
    return new RuleNotFoundError({
      ...base,
      rejected: true,
      message: `${what}: the rule does not exist in this account and region (${detail})`,
    });
  }
  if (code === 'TargetGroupNotFound') {
    return new TargetGroupNotFoundError({
      ...base,
      rejected: true,
      message: `${what}: a target group does not exist; check the target group ARNs (${detail})`,
    });
  }
  if (
    code === 'TargetGroupAssociationLimit' ||
    code === 'TooManyTargetGroups' ||
    code === 'TooManyUniqueTargetGroupsPerLoadBalancer'
  ) {
    return new TargetGroupLimitError({
      ...base,
      rejected: true,
      message: `${what}: a target group limit was reached (a target group can serve one load balancer; an action holds at most 5 target groups) (${detail})`,
    });
  }
  if (
    code === 'InvalidConfigurationRequest' ||
    code === 'InvalidLoadBalancerAction' ||
    code === 'IncompatibleProtocols' ||
    code === 'OperationNotPermitted' ||
    code === 'TooManyActions' ||
    code === 'ValidationError'
  ) {
    return new InvalidConfigurationError({
      ...base,
      rejected: true,
      message: `${what}: ELBv2 refused the ${kind}'s configuration (${detail})`,
    });
  }
  if (ACCESS_DENIED.has(code)) {
    const iamAction = `elasticloadbalancing:${context.operation}`;
    return new AccessDeniedError({
      ...base,
      rejected: true,
      iamAction,
      message: `${what}: access denied; the role needs the IAM permission ${iamAction} on ${context.route} (${detail})`,
    });
  }
  if (THROTTLING.has(code) || e.$retryable?.throttling === true || status === 429) {
    return new ThrottledError({
      ...base,
      rejected: true,
      attempts,
      message: `${what}: AWS kept throttling the request after ${attempts} attempt${attempts === 1 ? '' : 's'} (${detail}); raise max-attempts, set retry-mode: adaptive, or run fewer deployments at once in this account and region`,
    });
  }
  if (CREDENTIALS.has(code) || CREDENTIALS.has(e.name ?? '')) {
    return new CredentialsError({
      ...base,
      rejected: true,
      message: `${what}: no usable AWS credentials (${detail}); run aws-actions/configure-aws-credentials before this step`,
    });
  }
  // A 4xx answer is a refusal; a 5xx answer, a timeout or a dropped connection leaves the outcome unknown.
  const rejected = e.$fault === 'client' || (status !== undefined && status >= 400 && status < 500);
  const after = attempts > 1 ? ` after ${attempts} attempts` : '';
  return new Elbv2Error({
    ...base,
    rejected,
    message: `${what}${after}: ${rejected ? '' : 'the outcome is unknown, '}${detail}`,
  });
}

/** The code sets above, for the other adapters' error translation (AppConfig). */
export {
  THROTTLING as THROTTLING_CODES,
  ACCESS_DENIED as ACCESS_DENIED_CODES,
  CREDENTIALS as CREDENTIAL_CODES,
};
