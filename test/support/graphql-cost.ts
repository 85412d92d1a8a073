// GitHub's published formula for a GraphQL query's point cost: add up the requests needed to fulfil
// each connection, assuming each reaches its `first`; divide by 100 and round; at least 1 point.
// https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#calculating-points-for-the-primary-rate-limit
import { schema as githubSchema } from '@octokit/graphql-schema';
import {
  buildClientSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  valueFromASTUntyped,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

let schema: GraphQLSchema | null = null;

/** The requests and points of `query` with `variables`, by GitHub's formula. */
export function graphQLPointCost(query: string, variables: Record<string, unknown>) {
  schema ??= buildClientSchema(githubSchema.json as never);
  const s = schema;
  const document = parse(query);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const walk = (set: SelectionSetNode, parent: GraphQLNamedType, multiplier: number): number => {
    let requests = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
        const field = parent.getFields()[selection.name.value]!;
        const type = getNamedType(field.type);
        let inner = multiplier;
        if (type.name.endsWith('Connection')) {
          const arg = selection.arguments?.find((a) => a.name.value === 'first');
          const first = Number(arg ? valueFromASTUntyped(arg.value, variables) : 0);
          requests += multiplier;
          inner = multiplier * first;
        }
        if (selection.selectionSet) requests += walk(selection.selectionSet, type, inner);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? s.getType(selection.typeCondition.name.value)! : parent;
        requests += walk(selection.selectionSet, type, multiplier);
      } else {
        const fragment = fragments.get(selection.name.value)!;
        requests += walk(fragment.selectionSet, s.getType(fragment.typeCondition.name.value)!, multiplier);
      }
    }
    return requests;
  };
  let requests = 0;
  for (const d of document.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) requests += walk(d.selectionSet, s.getQueryType()!, 1);
  }
  return { requests, points: Math.max(1, Math.round(requests / 100)) };
}
