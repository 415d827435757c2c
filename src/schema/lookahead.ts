import { FieldNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';

/**
 * Whether the operation selects `path` below the field being resolved, through fragments, e.g.
 * `selects(info, ['edges', 'node', 'items'])` in a connection resolver. Fields under @skip/@include
 * are not counted (a resolver may then do less ahead of time, never more than the query asks).
 */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  let answers = answered.get(info.fieldNodes);
  if (!answers) answered.set(info.fieldNodes, (answers = new Map()));
  const key = path.join('.');
  let answer = answers.get(key);
  if (answer === undefined) answers.set(key, (answer = walk(info, path)));
  return answer;
}

/**
 * Answers per field-node list. graphql-jit builds a field's resolve info once per compiled
 * operation, so its `fieldNodes` (one document's AST, with that document's fragments) come back on
 * every execution and the walk runs once per operation, not per request. graphql-js makes a new
 * list per execution: it just misses.
 */
const answered = new WeakMap<readonly FieldNode[], Map<string, boolean>>();

function walk(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  let nodes: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    nodes = nodes.flatMap((n) => (n.selectionSet ? fieldsNamed(n.selectionSet, name, info) : []));
    if (nodes.length === 0) return false;
  }
  return true;
}

function fieldsNamed(set: SelectionSetNode, name: string, info: GraphQLResolveInfo): FieldNode[] {
  return set.selections.flatMap((s) => {
    if (s.directives?.length) return [];
    if (s.kind === Kind.FIELD) return s.name.value === name ? [s] : [];
    const fragment = s.kind === Kind.INLINE_FRAGMENT ? s : info.fragments[s.name.value];
    return fragment ? fieldsNamed(fragment.selectionSet, name, info) : [];
  });
}
