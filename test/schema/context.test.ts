import { ApolloServer } from '@apollo/server';
import pino from 'pino';
import { createContext, GraphQLContext } from '../../src/schema/context';
import type { Database } from '../../src/db/database';
import type { Services } from '../../src/services';

/**
 * The context's `ip` is worked out only when something reads it (the audit of mutations). Apollo
 * Server hands each operation a copy of the context; the copy must keep `ip` lazy and still answer it.
 */
describe('GraphQL context', () => {
  const typeDefs = 'type Query { plain: String, ip: String }';
  const resolvers = {
    Query: {
      plain: () => 'ok',
      ip: (_: unknown, __: unknown, ctx: GraphQLContext) => ctx.ip ?? null,
    },
  };
  const server = new ApolloServer<GraphQLContext>({ typeDefs, resolvers });
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  function context(ipOf: jest.Mock) {
    return createContext({
      principal: null,
      services: {} as Services,
      db: {} as Database,
      log: pino({ enabled: false }),
      ip: ipOf,
    });
  }

  function dataOf(res: Awaited<ReturnType<typeof server.executeOperation>>): Record<string, unknown> {
    if (res.body.kind !== 'single') throw new Error('expected a single result');
    expect(res.body.singleResult.errors).toBeUndefined();
    return res.body.singleResult.data as Record<string, unknown>;
  }

  it('does not work out the address for an operation that does not read it', async () => {
    const ipOf = jest.fn(() => '203.0.113.9');
    expect(dataOf(await server.executeOperation({ query: '{ plain }' }, { contextValue: context(ipOf) }))).toEqual({
      plain: 'ok',
    });
    expect(ipOf).not.toHaveBeenCalled();
  });

  it('works it out once for an operation that reads it, through Apollo’s copy of the context', async () => {
    const ipOf = jest.fn(() => '203.0.113.9');
    const data = dataOf(await server.executeOperation({ query: '{ a: ip, b: ip }' }, { contextValue: context(ipOf) }));
    expect(data).toEqual({ a: '203.0.113.9', b: '203.0.113.9' });
    expect(ipOf).toHaveBeenCalledTimes(1);
  });

  it('answers undefined when no address was given', () => {
    const ctx = createContext({
      principal: null,
      services: {} as Services,
      db: {} as Database,
      log: pino({ enabled: false }),
    });
    expect(ctx.ip).toBeUndefined();
  });
});
