import type { ApolloServerPlugin } from '@apollo/server';
import { FieldNode, Kind, valueFromASTUntyped } from 'graphql';
import type { GraphQLContext } from '../schema/context';
import { outcomeOf } from './audit.service';

type Args = Record<string, unknown>;

function argumentsOf(field: FieldNode | undefined, variables: Record<string, unknown> | undefined): Args {
  return Object.fromEntries(
    (field?.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]),
  );
}

/**
 * A readable target from the first field's arguments (literals or variables): `id`, `input.id`,
 * `input.saleId`, `client`, `filter.client`.
 */
function targetOf(args: Args): string | null {
  const input = (args.input ?? {}) as Args;
  const filter = (args.filter ?? {}) as Args;
  const value = args.id ?? input.id ?? input.saleId ?? input.client ?? args.client ?? filter.client;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

/**
 * Key changes and replays keep what was asked (their arguments are small and hold no secret) and,
 * for replays, what was put back on the queue: the trail then says which events a replay touched.
 */
const RECORDED_ARGUMENTS: ReadonlySet<string> = new Set([
  'createApiKey',
  'revokeApiKey',
  'createWebhookSecret',
  'revokeWebhookSecret',
  'updateClientSecurity',
  'replayWebhookEvents',
]);
const RECORDED_RESULTS: ReadonlySet<string> = new Set(['replayWebhookEvents']);

function whatOf(
  field: FieldNode | undefined,
  args: Args,
  data: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  const name = field?.name.value ?? '';
  const result = data?.[field?.alias?.value ?? name];
  return {
    ...(RECORDED_ARGUMENTS.has(name) && { arguments: args }),
    ...(RECORDED_RESULTS.has(name) && result !== undefined && { result }),
  };
}

/** Records every GraphQL mutation (who, what, when, from where, outcome) in the audit log. */
export function auditPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue: ctx, operation, response, request }) {
          if (operation?.operation !== 'mutation') return;
          const fieldNodes = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
          const fields = fieldNodes.map((f) => f.name.value);
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const data = response.body.kind === 'single' ? response.body.singleResult.data : undefined;
          const args = argumentsOf(fieldNodes[0], request.variables);
          const code = errors?.[0]?.extensions?.code;
          const status = errors?.length ? (code === 'GW_INTERNAL' || code === 'GW_STORE_UNAVAILABLE' ? 500 : 400) : 200;
          await ctx.services.audit.record(
            {
              clientId: ctx.principal?.clientId || null,
              actor: ctx.principal?.subject ?? 'anonymous',
              role: ctx.principal?.role ?? null,
              source: 'graphql',
              action: `mutation ${fields.join(',')}`,
              target: targetOf(args),
              ip: ctx.ip ?? null,
              outcome: outcomeOf(status, typeof code === 'string' ? code : undefined),
              details: {
                operationName: request.operationName ?? null,
                partial: !!(errors?.length && data),
                ...whatOf(fieldNodes[0], args, data),
              },
            },
            ctx.log,
          );
        },
      };
    },
  };
}
