import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { DocumentNode, execute, ExecutionResult, getVariableValues, GraphQLError, GraphQLSchema } from 'graphql';
import { compileQuery, CompiledQuery, isCompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

/** Compiled operations kept per process, keyed by Apollo's query hash and operation name. */
const COMPILED_CACHE_SIZE = 1000;

type Compiled = CompiledQuery | ExecutionResult;

/**
 * Runs queries through graphql-jit: each distinct operation is compiled once into a function that
 * resolves and completes the selection without graphql-js's per-field work (argument coercion, info
 * objects, null-prototype result objects), which was most of the gap between /graphql and a plain
 * route in bench:graphql. Mutations over HTTP and introspection keep graphql-js's `execute`: those
 * mutations are dominated by their database work, and introspection is rare and must match the
 * reference exactly. (The webhook pipeline compiles its actions' fixed mutations itself.)
 * Resolvers, data, errors and formatError behave as with `execute` (test/graphql/jit-executor.test.ts
 * compares both), with one documented difference: graphql-jit completes every field of an object
 * before a non-null error nulls it, so it may also report errors of siblings graphql-js never reached.
 * Each leaf completes in one fixed-arity function (no rest/spread arrays per leaf), its error path and
 * locations are built only on error, and each list is one loop whose items that are not promises are
 * completed without closures (patches/graphql-jit+0.8.9.patch).
 */
export function jitExecutor(schema: GraphQLSchema): GatewayExecutor {
  const compiled = new LRUCache<string, Compiled>({ max: COMPILED_CACHE_SIZE });
  return async (rc) => {
    const { document, operationName } = rc;
    const variables = rc.request.variables ?? {};
    if (rc.operation?.operation !== 'query' || INTROSPECTION.test(rc.source ?? '')) {
      return execute({ schema, document, operationName, variableValues: variables, contextValue: rc.context });
    }
    const key = `${rc.queryHash}:${operationName ?? ''}`;
    let entry = compiled.get(key);
    if (!entry) {
      entry = compileQuery(schema, document as DocumentNode, operationName ?? undefined);
      compiled.set(key, entry);
    }
    if (!isCompiledQuery(entry)) return entry;
    const result = await entry.query(undefined, rc.context, variables);
    if (!result.errors) return result;
    if (!('data' in result)) {
      // graphql-jit refused the variables with messages of its own and without the nodes Apollo needs to
      // answer BAD_USER_INPUT: graphql-js's coercion (run on this failure only) gives the reference errors.
      const coerced = getVariableValues(schema, rc.operation?.variableDefinitions ?? [], variables, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
    }
    return { ...result, errors: result.errors.map(asGraphqlJsError) };
  };
}

/**
 * graphql-jit's errors are GraphQLErrors by prototype only: their message is read-only and their
 * `extensions` undefined when the original error had none (Apollo reads `extensions.code` and
 * fails with a bare "Internal server error"). The same error as graphql-js would build it.
 */
function asGraphqlJsError(error: GraphQLError): GraphQLError {
  const copy = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
  if (error.locations) (copy as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return copy;
}

/** `__schema` / `__type(…)`, not `__typename` (which graphql-jit resolves itself). */
const INTROSPECTION = /\b__(schema|type)\b/;

/**
 * Apollo Server takes a custom executor only through its gateway interface; this one serves the local
 * schema (it loads nothing from anywhere) and hands Apollo the executor above.
 */
export function localJitGateway(schema: GraphQLSchema): GatewayInterface {
  return {
    async load() {
      return { executor: jitExecutor(schema) };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async stop() {},
  };
}
