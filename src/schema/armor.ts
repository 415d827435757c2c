import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { DocumentNode, GraphQLError, parse, ParseOptions, ValidationContext, ValidationRule } from 'graphql';
import type { Config } from '../config';
import { GatewayError } from '../errors/gateway-error';
import { forbiddenText } from '../shared/json-escapes';

export interface GraphqlProtection {
  /** Depth, cost, aliases and directives, and text-only string literals: pass them to `validate` on every path (HTTP and WebSocket). */
  validationRules: ValidationRule[];
  /** Apollo plugins (field suggestions are masked by the caller's formatError: `maskSuggestions`). */
  plugins: ApolloServerPlugin[];
  /** Parser options with the token limit: Apollo's `parseOptions`. */
  parseOptions: ParseOptions;
  /** Parses with the token limit (for paths that parse themselves, such as graphql-ws). */
  parse(source: string): DocumentNode;
  /** In production, removes "Did you mean …?" from messages (HTTP: in formatError; WebSocket: before it). */
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
 * How a graphql-armor limit refuses a document: one validation error naming the limit, its setting and
 * what the document has (`GW_QUERY_LIMIT_EXCEEDED`, details `{ limit, max, found }`), instead of armor's
 * "Syntax Error: Query validation error.". Armor only reports the figure it found inside its own
 * message (`exposeLimits`), so it is read from there.
 */
function refusal(what: string, max: number, setting: string) {
  return {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const found = Number(/found (\d+)/.exec(error.message)?.[1] ?? Number.NaN);
        const message = `${what} ${Number.isNaN(found) ? 'is over' : `${found} exceeds`} the limit of ${max} (${setting})`;
        const details = { limit: setting, max, ...(!Number.isNaN(found) && { found }) };
        context?.reportError(new GatewayError('GW_QUERY_LIMIT_EXCEEDED', message, { details }));
      },
    ],
  };
}

/**
 * graphql-armor's limits (the token limit is graphql-js's own `maxTokens` parse option: armor's Apollo
 * token plugin throws from a parsing hook, which Apollo 5 answers with a 500), built once from config
 * so the HTTP server and the WebSocket path apply the same rules.
 */
export function graphqlProtection(config: Pick<Config, 'nodeEnv'> & { security: Pick<Config['security'], 'graphqlLimits'> }): GraphqlProtection {
  const l = config.security.graphqlLimits;
  const production = config.nodeEnv === 'production';
  const armor = new ApolloArmor({
    maxDepth: { n: l.maxDepth, flattenFragments: true, ...refusal('Query depth', l.maxDepth, 'GRAPHQL_MAX_DEPTH') },
    costLimit: { maxCost: l.maxCost, ...refusal('Query cost', l.maxCost, 'GRAPHQL_MAX_COST') },
    maxAliases: { n: l.maxAliases, ...refusal('Alias count', l.maxAliases, 'GRAPHQL_MAX_ALIASES') },
    maxDirectives: { n: l.maxDirectives, ...refusal('Directive count', l.maxDirectives, 'GRAPHQL_MAX_DIRECTIVES') },
    maxTokens: { enabled: false },
    // armor's plugin rewrites error messages in place (read-only in graphql-jit's errors): formatError masks instead.
    blockFieldSuggestion: { enabled: false },
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
