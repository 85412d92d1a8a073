// The loopback GitHub server's `POST /graphql`: the dashboard's two operations, executed by graphql-js
// against GitHub's published schema (@octokit/graphql-schema), so a query GitHub would refuse is refused
// here too, with GitHub's answer shapes: `data` beside `errors` with a `type` (FORBIDDEN, NOT_FOUND), a
// 200 for validation errors, opaque cursors, `first` at most 100. Other operations get `errors`.
// https://docs.github.com/en/graphql/guides/forming-calls-with-graphql
import { schema as githubSchema } from '@octokit/graphql-schema';
import {
  buildClientSchema,
  execute,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
} from 'graphql';
import type {
  Access,
  Commit,
  Deployment,
  DeploymentStatus,
  FaultResponse,
  RecordedRequest,
} from './github-server';

/** The operations the fake answers: the dashboard's deployments listing and its approvals read. */
export const KNOWN_OPERATIONS = ['ShiftgateDashboardDeployments', 'ShiftgateDashboardApprovals'];

/** What the GraphQL endpoint reads from the server's store. */
export interface GraphQLStore {
  /** GitHub's web address that run URLs start with. */
  web: string;
  permissions: { deployments: Access; contents: Access; actions: Access };
  repositoryExists(repo: string): boolean;
  /** Every deployment of `repo` (lower case), any order. */
  deployments(repo: string): Deployment[];
  /** A deployment's statuses, oldest first. */
  statuses(deploymentId: number): DeploymentStatus[];
  commit(repo: string, sha: string): Commit | undefined;
  /** A run's reviews in the REST shape (GET /actions/runs/{id}/approvals). */
  runApprovals(repo: string, runId: number): unknown[];
}

let schema: GraphQLSchema | null = null;
function githubGraphQLSchema(): GraphQLSchema {
  schema ??= buildClientSchema(githubSchema.json as never);
  return schema;
}

/** The operation a GraphQL request names (operationName, else the first operation's name). */
export function graphQLOperation(request: Pick<RecordedRequest, 'body'>): string | null {
  const body = request.body as { operationName?: unknown; query?: unknown } | undefined;
  if (typeof body?.operationName === 'string') return body.operationName;
  if (typeof body?.query !== 'string') return null;
  return /^\s*(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(body.query)?.[1] ?? null;
}

/** A resolver error GitHub reports with a `type`. */
class TypedError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const forbidden = () => new TypedError('FORBIDDEN', 'Resource not accessible by integration');

/** Answers `POST /graphql`. */
export function answerGraphQL(store: GraphQLStore, request: RecordedRequest): FaultResponse {
  const body = request.body as { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
  if (typeof body?.query !== 'string') {
    return {
      status: 400,
      body: { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql' },
    };
  }
  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch (error) {
    return { status: 200, body: { errors: [{ message: (error as Error).message }] } };
  }
  const operation = graphQLOperation(request);
  if (operation === null || !KNOWN_OPERATIONS.includes(operation)) {
    return {
      status: 200,
      body: {
        errors: [
          { message: `The fake GitHub server does not answer the operation '${operation ?? 'anonymous'}'` },
        ],
      },
    };
  }
  if (document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation !== 'query')) {
    return { status: 200, body: { errors: [{ message: 'Only queries are answered' }] } };
  }
  const invalid = validate(githubGraphQLSchema(), document);
  if (invalid.length > 0) return { status: 200, body: { errors: invalid.map(githubError) } };
  const result = execute({
    schema: githubGraphQLSchema(),
    document,
    operationName: operation,
    variableValues: (body.variables ?? {}) as Record<string, unknown>,
    rootValue: root(store),
  }) as { data?: unknown; errors?: readonly GraphQLError[] };
  return {
    status: 200,
    body: {
      data: result.data ?? null,
      ...(result.errors?.length ? { errors: result.errors.map(githubError) } : {}),
    },
  };
}

function githubError(error: GraphQLError) {
  const original = error.originalError;
  return {
    ...(original instanceof TypedError ? { type: original.type } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.locations ? { locations: error.locations } : {}),
    message: error.message,
  };
}

function root(store: GraphQLStore) {
  return {
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = `${owner}/${name}`.toLowerCase();
      if (!store.repositoryExists(repo)) {
        throw new TypedError(
          'NOT_FOUND',
          `Could not resolve to a Repository with the name '${owner}/${name}'.`,
        );
      }
      return repository(store, repo);
    },
    resource: ({ url }: { url: string }) => workflowRun(store, url),
  };
}

function repository(store: GraphQLStore, repo: string) {
  return {
    deployments: (args: {
      first?: number;
      after?: string;
      environments?: string[] | null;
      orderBy?: { field: string; direction: 'ASC' | 'DESC' };
    }) => {
      if (store.permissions.deployments === 'none') throw forbidden();
      const direction = args.orderBy?.direction ?? 'ASC';
      const list = store
        .deployments(repo)
        .filter((d) => !args.environments || args.environments.includes(d.environment))
        .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id);
      if (direction === 'DESC') list.reverse();
      return connection('deployments', list, args, (d) => deploymentNode(store, repo, d));
    },
  };
}

function deploymentNode(store: GraphQLStore, repo: string, d: Deployment) {
  return {
    databaseId: d.id,
    commitOid: d.sha,
    // GitHub has a Ref only for a deployment made by a ref name.
    ref: /^[0-9a-f]{40}$/.test(d.ref) ? null : { name: d.ref },
    environment: d.environment,
    description: d.description,
    createdAt: d.created_at,
    payload: typeof d.payload === 'string' ? d.payload : JSON.stringify(d.payload ?? {}),
    commit: () => {
      if (store.permissions.contents === 'none') throw forbidden();
      const commit = store.commit(repo, d.sha);
      return commit ? { committedDate: commit.commit.committer.date } : null;
    },
    statuses: (args: { first?: number; after?: string }) =>
      connection('statuses', [...store.statuses(d.id)].reverse(), args, (s) => ({
        state: s.state.toUpperCase(),
        description: s.description,
        createdAt: s.created_at,
        logUrl: s.log_url || null,
        environmentUrl: s.environment_url || null,
      })),
  };
}

function workflowRun(store: GraphQLStore, url: string) {
  const match = new RegExp(`^${escape(store.web)}/([^/]+/[^/]+)/actions/runs/(\\d+)$`).exec(url);
  if (!match) return null;
  const repo = match[1]!.toLowerCase();
  const runId = Number(match[2]);
  return {
    __typename: 'WorkflowRun',
    deploymentReviews: (args: { first?: number; after?: string }) => {
      if (store.permissions.actions === 'none') throw forbidden();
      const reviews = store.runApprovals(repo, runId) as {
        state: string;
        comment: string;
        user: { login: string };
        environments: { name: string }[];
      }[];
      return connection('deploymentReviews', reviews, args, (r) => ({
        state: r.state.toUpperCase(),
        comment: r.comment,
        user: { login: r.user.login },
        environments: (a: { first?: number; after?: string }) =>
          connection('environments', r.environments, a, (e) => ({ name: e.name })),
      }));
    },
  };
}

/** A cursor connection: `first` from 1 to 100 (GitHub requires it), `after` an opaque cursor. */
function connection<T, N>(
  name: string,
  items: T[],
  args: { first?: number; after?: string },
  node: (item: T) => N,
) {
  const first = args.first;
  if (first === undefined || first === null) {
    throw new Error(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
    );
  }
  if (first < 0 || first > 100) {
    throw new Error(
      `Requesting ${first} records on the \`${name}\` connection exceeds the \`first\` limit of 100 records.`,
    );
  }
  let start = 0;
  if (args.after !== undefined && args.after !== null) {
    const decoded = /^cursor:v2:(\d+)$/.exec(Buffer.from(args.after, 'base64').toString('utf8'));
    if (!decoded)
      throw new TypedError(
        'INVALID_CURSOR_ARGUMENTS',
        `\`${args.after}\` does not appear to be a valid cursor.`,
      );
    start = Number(decoded[1]) + 1;
  }
  const page = items.slice(start, start + first);
  const end = start + page.length - 1;
  return {
    pageInfo: {
      hasNextPage: start + first < items.length,
      endCursor: page.length > 0 ? Buffer.from(`cursor:v2:${end}`).toString('base64') : null,
    },
    nodes: page.map(node),
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
