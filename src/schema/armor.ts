import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { DocumentNode, parse, ParseOptions, ValidationRule } from 'graphql';
import type { Config } from '../config';

export interface GraphqlProtection {
  /** Depth, cost, aliases and directives: pass them to `validate` on every path (HTTP and WebSocket). */
  validationRules: ValidationRule[];
  /** Apollo plugins: in production, no field suggestions in errors. */
  plugins: ApolloServerPlugin[];
  /** Parser options with the token limit: Apollo's `parseOptions`. */
  parseOptions: ParseOptions;
  /** Parses with the token limit (for paths that parse themselves, such as graphql-ws). */
  parse(source: string): DocumentNode;
  /** In production, removes "Did you mean …?" from validation messages (what armor's plugin does for Apollo). */
  maskSuggestions(message: string): string;
}

const SUGGESTION = /\s*Did you mean .+\?$/;

/**
 * graphql-armor's limits (the token limit is graphql-js's own `maxTokens` parse option: armor's Apollo
 * token plugin throws from a parsing hook, which Apollo 5 answers with a 500), built once from config so the HTTP server and the WebSocket path apply the
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
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: production },
  });
  const { plugins, validationRules } = armor.protect();
  const parseOptions: ParseOptions = { maxTokens: l.maxTokens };
  return {
    plugins,
    validationRules,
    parseOptions,
    parse: (source) => parse(source, parseOptions),
    maskSuggestions: (message) => (production ? message.replace(SUGGESTION, '') : message),
  };
}
