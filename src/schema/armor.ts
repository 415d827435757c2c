import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { DocumentNode, GraphQLError, ValidationRule } from 'graphql';
import type { Config } from '../config';

export interface GraphqlProtection {
  /** Depth, cost, aliases and directives: pass them to `validate` on every path (HTTP and WebSocket). */
  validationRules: ValidationRule[];
  /** Apollo plugins: token limit at parse time and, in production, no field suggestions in errors. */
  plugins: ApolloServerPlugin[];
  /** Parses with the token limit (for paths that parse themselves, such as graphql-ws). */
  parse(source: string): DocumentNode;
}

/**
 * graphql-armor's limits, built once from config so the HTTP server and the WebSocket path apply the
 * same rules. Limits are not echoed to callers (`exposeLimits: false`).
 */
export function graphqlProtection(config: Pick<Config, 'nodeEnv'> & { security: Pick<Config['security'], 'graphqlLimits'> }): GraphqlProtection {
  const l = config.security.graphqlLimits;
  const production = config.nodeEnv === 'production';
  const armor = new ApolloArmor({
    maxDepth: { n: l.maxDepth, exposeLimits: false, flattenFragments: true },
    costLimit: { maxCost: l.maxCost, exposeLimits: false },
    maxAliases: { n: l.maxAliases, exposeLimits: false },
    maxDirectives: { n: l.maxDirectives, exposeLimits: false },
    maxTokens: { n: l.maxTokens, exposeLimits: false },
    blockFieldSuggestion: { enabled: production },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    plugins,
    validationRules,
    parse(source: string): DocumentNode {
      const parser = new MaxTokensParserWLexer(source, { n: l.maxTokens, exposeLimits: false, errorMessage: 'Query too large' });
      try {
        return parser.parseDocument();
      } catch (err) {
        throw err instanceof GraphQLError ? err : new GraphQLError('Syntax Error');
      }
    },
  };
}
