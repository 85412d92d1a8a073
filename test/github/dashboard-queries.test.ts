// The dashboard's GraphQL queries against GitHub's published schema (@octokit/graphql-schema): every
// field and argument must exist, so a query GitHub would refuse fails here first.
import { validate } from '@octokit/graphql-schema';
import { describe, expect, it } from 'vitest';
import { approvalsQuery, DEPLOYMENTS_QUERY, RUNS_PER_QUERY } from '@shiftgate/github';
import { graphQLPointCost } from '../support/graphql-cost';

describe("the dashboard's GraphQL queries", () => {
  it('lists deployments with fields and arguments that exist in GitHub’s schema', () => {
    expect(validate(DEPLOYMENTS_QUERY).map((e) => e.message)).toEqual([]);
  });

  it.each([1, 7, RUNS_PER_QUERY])('reads who approved %i runs with a valid query', (n) => {
    expect(validate(approvalsQuery(n)).map((e) => e.message)).toEqual([]);
  });

  it('fails the check for a field GitHub does not have', () => {
    const broken = DEPLOYMENTS_QUERY.replace('commitOid', 'commitSha');
    expect(validate(broken).map((e) => e.message)).toEqual([
      'Cannot query field "commitSha" on type "Deployment". Did you mean "commit" or "commitOid"?',
    ]);
  });

  it('refuses an approvals query of no runs or more than one request holds', () => {
    expect(() => approvalsQuery(0)).toThrow('An approvals query reads 1 to 50 runs, not 0');
    expect(() => approvalsQuery(RUNS_PER_QUERY + 1)).toThrow('not 51');
  });

  it('costs what GitHub’s formula says: 1 point per deployments page, 11 per 50 runs', () => {
    expect(graphQLPointCost(DEPLOYMENTS_QUERY, { first: 100 })).toEqual({ requests: 101, points: 1 });
    expect(graphQLPointCost(approvalsQuery(RUNS_PER_QUERY), {})).toEqual({ requests: 1050, points: 11 });
  });
});
