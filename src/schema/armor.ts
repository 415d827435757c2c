import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { DocumentNode, GraphQLError, parse, ParseOptions, ValidationRule } from 'graphql';
import type { Config } from '../config';
import { forbiddenText } from '../shared/json-escapes';

export interface GraphqlProtection {
  /** Depth, cost, aliases and directives, and text-only string literals: pass them to `validate` on every path (HTTP and WebSocket). */
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
 * U+0000 and lone surrogates are not text (PostgreSQL refuses the first and would mangle the other).
 * A JSON body carrying them is refused before parsing (`forbiddenJsonEscape`); a GraphQL string
 * literal can still carry them (the escape `\u0000`, or a WebSocket message's JSON escape inside the
 * document), so such a literal is a validation error here, on both transports.
 */
export const textOnlyStrings: ValidationRule = (context) => ({
  StringValue(node) {
    const bad = forbiddenText(node.value);
    if (bad) context.reportError(new GraphQLError(`String values must be text; this one carries ${bad}`, { nodes: node }));
  },
});

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
  const { plugins, validationRules: armorRules } = armor.protect();
  const validationRules = [...armorRules, textOnlyStrings];
  const parseOptions: ParseOptions = { maxTokens: l.maxTokens };
  return {
    plugins,
    validationRules,
    parseOptions,
    parse: (source) => parse(source, parseOptions),
    maskSuggestions: (message) => (production ? message.replace(SUGGESTION, '') : message),
  };
}
