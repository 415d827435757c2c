import {
  execute,
  GraphQLList,
  GraphQLObjectType,
  GraphQLResolveInfo,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { selects } from '../../src/schema/lookahead';

/** `selects` on real graphql-js executions: plain fields, aliases, named and inline fragments, @skip. */
let seen: boolean[] = [];
const Item = new GraphQLObjectType({ name: 'Item', fields: { sku: { type: GraphQLString } } });
const Node = new GraphQLObjectType({
  name: 'Node',
  fields: { id: { type: GraphQLString }, items: { type: new GraphQLList(Item) } },
});
const Edge = new GraphQLObjectType({ name: 'Edge', fields: { node: { type: Node } } });
const Page = new GraphQLObjectType({ name: 'Page', fields: { edges: { type: new GraphQLList(Edge) } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      page: {
        type: Page,
        resolve: (_root, _args, _ctx, info: GraphQLResolveInfo) => {
          seen.push(selects(info, ['edges', 'node', 'items']));
          return { edges: [] };
        },
      },
    },
  }),
});

async function run(query: string): Promise<boolean[]> {
  seen = [];
  const result = await execute({ schema, document: parse(query) });
  expect(result.errors).toBeUndefined();
  return seen;
}

test.each([
  ['{ page { edges { node { id items { sku } } } } }', true],
  ['{ page { edges { node { id } } } }', false],
  ['{ page { edges { node { lines: items { sku } } } } }', true],
  ['{ page { ...P } } fragment P on Page { edges { node { ...N } } } fragment N on Node { items { sku } }', true],
  ['{ page { edges { ... on Edge { node { items { sku } } } } } }', true],
  ['{ page { edges { node { items @skip(if: true) { sku } } } } }', false],
])('%s → %s', async (query, expected) => {
  expect(await run(query)).toEqual([expected]);
});

/** graphql-jit hands the same field nodes to every execution of a compiled query: answers are kept per operation. */
test('compiled operations keep their own answers across executions', async () => {
  const { compileQuery, isCompiledQuery } = await import('graphql-jit');
  const compile = (query: string) => {
    const c = compileQuery(schema, parse(query));
    if (!isCompiledQuery(c)) throw new Error('does not compile');
    return c;
  };
  const withItems = compile('{ page { edges { node { items { sku } } } } }');
  const without = compile('{ page { edges { node { id } } } }');
  seen = [];
  for (let i = 0; i < 3; i++) {
    await withItems.query(undefined, {}, {});
    await without.query(undefined, {}, {});
  }
  expect(seen).toEqual([true, false, true, false, true, false]);
});
