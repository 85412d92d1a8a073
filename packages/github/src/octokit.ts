import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Logger } from '@shiftgate/core';

/** The project's version, sent in the user agent. */
export const SHIFTGATE_GITHUB_USER_AGENT = 'shiftgate/0.1.0';

/** An Octokit with the REST endpoint methods, pagination, retry and throttling plugins. */
export type GitHubClient = ReturnType<typeof getOctokit>;

/** Options of the one GitHub client factory. */
export interface GitHubClientOptions {
  token: string;
  /** Which action or command is calling, for the user agent: `shiftgate/0.1.0 (record-deployment)`. */
  caller: string;
  /**
   * The REST API base URL. Defaults to `GITHUB_API_URL` in `env` (set by the runner, and by GitHub
   * Enterprise Server runners to their own API), then https://api.github.com.
   */
  baseUrl?: string;
  /** Where to read `GITHUB_API_URL` (the CLI passes its own environment). Defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Where retry notes go. */
  logger?: Logger;
  /** Retries of a request refused by a secondary rate limit before giving up (default 3). */
  secondaryRateLimitRetries?: number;
  /** Retries of a request that hit the primary rate limit, when the reset is within a minute (default 1). */
  rateLimitRetries?: number;
  /** Retries of server errors (5xx) by the retry plugin (default 3). */
  retries?: number;
  /**
   * Milliseconds per second of `retry-after` and of the retry plugin's backoff (default 1000). Only
   * tests shrink it, so retries run for real without real waits.
   */
  retryAfterMs?: number;
  /**
   * Spacing of content-creating requests. GitHub asks integrations to wait at least a second between
   * them to stay clear of secondary rate limits, which the throttling plugin does by default
   * ("Best practices for using the REST API"). `none` is for tests only.
   */
  writeSpacing?: 'github' | 'none';
  /**
   * How long one request may take before it is abandoned (and, being a 5xx-like failure, retried or
   * looked up as a write whose answer was lost). Default {@link GITHUB_REQUEST_TIMEOUT_MS}.
   */
  requestTimeoutMs?: number;
}

/** Every wait has an upper bound: a GitHub request that hangs is abandoned after this long. */
export const GITHUB_REQUEST_TIMEOUT_MS = 30_000;

/** `fetch` with an upper bound on each request, keeping any signal the caller gave. */
function boundedFetch(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return fetch(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
    });
  };
}

/** A limiter group that schedules at once, for tests that must not wait a second between writes. */
const immediateGroup = {
  key: () => ({
    schedule: <T>(_options: unknown, task: (...args: unknown[]) => Promise<T>, ...args: unknown[]) =>
      task(...args),
  }),
};

/**
 * The one factory for GitHub clients: `@actions/github`'s Octokit with the retry and throttling
 * plugins, the API URL from `GITHUB_API_URL`, and a user agent naming shiftgate. Secondary rate limits
 * are retried after GitHub's `retry-after` up to `secondaryRateLimitRetries` times, then surface as a
 * 403/429 error that {@link describeGitHubError} explains.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const env = options.env ?? process.env;
  const baseUrl = (options.baseUrl || env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  const logger = options.logger;
  const secondaryRetries = options.secondaryRateLimitRetries ?? 3;
  const primaryRetries = options.rateLimitRetries ?? 1;
  const retryAfterMs = options.retryAfterMs ?? 1000;
  const spacing =
    options.writeSpacing === 'none' ? { write: immediateGroup, notifications: immediateGroup } : {};
  return getOctokit(
    options.token,
    {
      baseUrl,
      userAgent: `${SHIFTGATE_GITHUB_USER_AGENT} (${options.caller})`,
      request: { fetch: boundedFetch(options.requestTimeoutMs ?? GITHUB_REQUEST_TIMEOUT_MS) },
      retry: { retries: options.retries ?? 3, retryAfterBaseValue: retryAfterMs },
      throttle: {
        retryAfterBaseValue: retryAfterMs,
        ...(spacing as object),
        onSecondaryRateLimit: (
          retryAfter: number,
          request: { method: string; url: string },
          _octokit: unknown,
          retryCount: number,
        ) => {
          if (retryCount < secondaryRetries) {
            logger?.warning(
              `GitHub secondary rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s (${retryCount + 1} of ${secondaryRetries})`,
            );
            return true;
          }
          return false;
        },
        onRateLimit: (
          retryAfter: number,
          request: { method: string; url: string },
          _octokit: unknown,
          retryCount: number,
        ) => {
          if (retryCount < primaryRetries && retryAfter <= 60) {
            logger?.warning(
              `GitHub rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s`,
            );
            return true;
          }
          return false;
        },
      },
    },
    retry,
    throttling,
  );
}
