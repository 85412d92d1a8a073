// GitHub faults for the hardening tables: one way to inject each kind on the requests a row names.
import type { FaultRule, GitHubServer } from '../support/github-server';
import type { FaultKind } from './faults.table';

/** How long a hung request waits: far past the client's request time limit. */
export const HUNG_MS = 20_000;

/** The requests a row's fault hits: a method and path, and for GraphQL the operation. */
export type GitHubWhere = Pick<FaultRule, 'method' | 'path' | 'operation'>;

/** Injects a GitHub fault on the requests `where` names: once (`brief`) or on every attempt (`lasting`). */
export function injectGitHub(
  github: GitHubServer,
  where: GitHubWhere,
  fault: FaultKind,
  span: 'brief' | 'lasting',
): void {
  const times = span === 'brief' ? 1 : Number.POSITIVE_INFINITY;
  if (fault === 'throttling') {
    github.secondaryRateLimit({ ...where, times, retryAfterSeconds: 1 });
    return;
  }
  const respond: Record<Exclude<FaultKind, 'throttling'>, FaultRule['respond']> = {
    '5xx': { status: 502, body: { message: 'Server Error' } },
    timeout: { status: 0, drop: true, delayMs: HUNG_MS },
    'lost response': { status: 0, drop: true },
  };
  github.fault({ ...where, times, respond: respond[fault], processFirst: fault === 'lost response' });
}
