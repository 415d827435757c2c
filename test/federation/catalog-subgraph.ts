import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { FEDERATION_SPEC } from '../../src/schema/build-schema';

/** A second subgraph for the tests: a catalog that extends the hub's Product with its own fields. */
export const CATALOG_SDL = `
  extend schema @link(url: "${FEDERATION_SPEC}", import: ["@key"])

  type Product @key(fields: "sku") {
    sku: ID!
    brand: String!
    rating: Float
  }

  type Query {
    "Products the catalog promotes; their descriptions come from the hub."
    featuredProducts: [Product!]!
  }
`;

export const CATALOG: Record<string, { brand: string; rating: number }> = {
  'TENIS-RUN-38-PRETO': { brand: 'Olympikus', rating: 4.5 },
  'MEIA-ESP-UN': { brand: 'Lupo', rating: 4.1 },
};

export interface RunningSubgraph {
  url: string;
  stop(): Promise<void>;
}

export async function startCatalogSubgraph(): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(CATALOG_SDL),
    resolvers: {
      Query: { featuredProducts: () => Object.keys(CATALOG).map((sku) => ({ sku })) },
      Product: {
        __resolveReference: (ref: { sku: string }) => ({
          sku: ref.sku,
          ...(CATALOG[ref.sku] ?? { brand: 'unknown', rating: null }),
        }),
        brand: (p: { sku: string }) => CATALOG[p.sku]?.brand ?? 'unknown',
        rating: (p: { sku: string }) => CATALOG[p.sku]?.rating ?? null,
      },
    },
  });
  const server = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}
