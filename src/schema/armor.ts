import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { DocumentNode, GraphQLError, parse, ParseOptions, ValidationContext, ValidationRule } from 'graphql';
import { seesSchema } from '../auth/authorize';
import type { Config } from '../config';
import { GatewayError } from '../errors/gateway-error';
import { forbiddenText } from '../shared/json-escapes';
import type { GraphQLContext, Principal } from './context';

export interface GraphqlProtection {
  /**
   * Depth, cost, aliases and directives, and text-only string literals: pass them to `validate` on
   * every path (HTTP and WebSocket).
   */
  validationRules: ValidationRule[];
  /** Apollo plugins: in production, no suggestions in errors for callers that may not see the schema. */
  plugins: ApolloServerPlugin[];
  /** Parser options with the token limit: Apollo's `parseOptions`. */
  parseOptions: ParseOptions;
  /** Parses with the token limit (for paths that parse themselves, such as graphql-ws). */
  parse(source: string): DocumentNode;
  /** In production, removes "Did you mean …?" from messages, unless the caller may see the schema (ops). */
  maskSuggestions(message: string, principal?: Principal | null): string;
}

/** graphql-js's suggestions: fields, arguments, types and enum values ("Did you mean the enum value …?"). */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * U+0000 and lone surrogates are not text (PostgreSQL refuses the first and would mangle the other).
 * A JSON body carrying them is refused before parsing (`forbiddenJsonEscape`); a GraphQL string
 * literal can still carry them (the escape `\u0000`, or a WebSocket message's JSON escape inside the
 * document), so such a literal is a validation error here, on both transports.
 */
export const textOnlyStrings: ValidationRule = (context) => ({
  StringValue(node) {
    const bad = forbiddenText(node.value);
    if (bad)
      context.reportError(new GraphQLError(`String values must be text; this one carries ${bad}`, { nodes: node }));
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
        const exceeds = Number.isNaN(found) ? 'is over' : `${found} exceeds`;
        const message = `${what} ${exceeds} the limit of ${max} (${setting})`;
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
export function graphqlProtection(
  config: Pick<Config, 'nodeEnv'> & { security: Pick<Config['security'], 'graphqlLimits'> },
): GraphqlProtection {
  const l = config.security.graphqlLimits;
  const production = config.nodeEnv === 'production';
  const armor = new ApolloArmor({
    maxDepth: { n: l.maxDepth, flattenFragments: true, ...refusal('Query depth', l.maxDepth, 'GRAPHQL_MAX_DEPTH') },
    costLimit: { maxCost: l.maxCost, ...refusal('Query cost', l.maxCost, 'GRAPHQL_MAX_COST') },
    maxAliases: { n: l.maxAliases, ...refusal('Alias count', l.maxAliases, 'GRAPHQL_MAX_ALIASES') },
    maxDirectives: { n: l.maxDirectives, ...refusal('Directive count', l.maxDirectives, 'GRAPHQL_MAX_DIRECTIVES') },
    maxTokens: { enabled: false },
    // armor's mask only knows `Did you mean "…"`, not enum values, and cannot tell ops apart: `hideSuggestions` below.
    blockFieldSuggestion: { enabled: false },
  });
  const { plugins, validationRules: armorRules } = armor.protect();
  const validationRules = [...armorRules, textOnlyStrings];
  const parseOptions: ParseOptions = { maxTokens: l.maxTokens };
  const maskSuggestions = (message: string, principal?: Principal | null) =>
    seesSchema(principal ?? null, production) ? message : message.replace(SUGGESTION, '');
  return {
    plugins: [...plugins, hideSuggestions(maskSuggestions)],
    validationRules,
    parseOptions,
    parse: (source) => parse(source, parseOptions),
    maskSuggestions,
  };
}

/**
 * Apollo: suggestions leave the messages of the response's formatted errors, which are replaced by new
 * objects (the errors themselves are not rewritten: graphql-jit makes their message read-only).
 */
function hideSuggestions(mask: GraphqlProtection['maskSuggestions']): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          const principal = (contextValue as Partial<GraphQLContext> | undefined)?.principal;
          const { singleResult } = response.body;
          const errors = singleResult.errors!.map((e) => ({ ...e, message: mask(e.message, principal) }));
          response.body = { kind: 'single', singleResult: { ...singleResult, errors } };
        },
      };
    },
  };
}
