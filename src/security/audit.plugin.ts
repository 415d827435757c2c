import type { ApolloServerPlugin } from '@apollo/server';
import { FieldNode, Kind, valueFromASTUntyped } from 'graphql';
import type { GraphQLContext } from '../schema/context';
import { outcomeOf } from './audit.service';

/** A readable target from the first field's arguments (literals or variables): `id`, `input.id`, `input.saleId`, `client`. */
function targetOf(field: FieldNode | undefined, variables: Record<string, unknown> | undefined): string | null {
  if (!field?.arguments?.length) return null;
  const args = Object.fromEntries(field.arguments.map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
  const input = (args.input ?? {}) as Record<string, unknown>;
  const value = args.id ?? input.id ?? input.saleId ?? input.client ?? args.client;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
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
          const code = errors?.[0]?.extensions?.code;
          const status = errors?.length ? (code === 'GW_INTERNAL' || code === 'GW_STORE_UNAVAILABLE' ? 500 : 400) : 200;
          await ctx.services.audit.record(
            {
              clientId: ctx.principal?.clientId || null,
              actor: ctx.principal?.subject ?? 'anonymous',
              role: ctx.principal?.role ?? null,
              source: 'graphql',
              action: `mutation ${fields.join(',')}`,
              target: targetOf(fieldNodes[0], request.variables),
              ip: ctx.ip ?? null,
              outcome: outcomeOf(status, typeof code === 'string' ? code : undefined),
              details: { operationName: request.operationName ?? null, partial: !!(errors?.length && response.body.kind === 'single' && response.body.singleResult.data) },
            },
            ctx.log,
          );
        },
      };
    },
  };
}
