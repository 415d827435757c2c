import { Args, ArgsType, Field, Resolver, Root, Subscription } from 'type-graphql';
import { clientModule } from '../clients/registry';
import { GatewayError } from '../errors/gateway-error';
import type { GraphQLContext } from '../schema/context';
import type { CircuitStateEvent, FlowStatusEvent, WebhookProcessedEvent } from './hub-events';
import { CircuitStateChangedEventType, FlowStatusChangedEventType, WebhookProcessedEventType } from './live-event.type';

@ArgsType()
class ClientArgs {
  @Field({ description: 'The client (tenant) to watch; an app key may only watch its own' })
  client!: string;
}

@ArgsType()
class ClientFlowArgs extends ClientArgs {
  @Field(() => String, {
    nullable: true,
    description: 'A flow key, e.g. `sales`; every flow of the client when omitted',
  })
  flow?: string | null;
}

interface SubscribeData<A> {
  args: A;
  context: GraphQLContext;
}

/** The tenant rule: apps and webhooks watch their own client; ops may watch any. */
function authorizeWatch(ctx: GraphQLContext, client: string, flow?: string | null): void {
  const principal = ctx.principal;
  if (!principal) throw new GatewayError('GW_UNAUTHENTICATED', 'Authentication required');
  if (principal.role !== 'ops' && principal.clientId !== client) {
    throw new GatewayError('GW_FORBIDDEN', 'This key may only watch its own client');
  }
  const module = clientModule(client);
  if (!module) throw new GatewayError('GW_NOT_FOUND', `Unknown client ${client.slice(0, 64)}`);
  if (flow != null && !module.flows.includes(flow as never)) {
    throw new GatewayError('GW_UNKNOWN_FLOW', `No flow ${flow.slice(0, 64)} for ${client}`, {
      details: { allowed: module.flows },
    });
  }
}

/**
 * Events of one flow. A plain iterator over the subscriber's stream rather than a `filter` operator:
 * that would add a second Repeater per subscriber, and fan-out cost is per subscriber per event.
 */
function ofFlow<T extends { flow: string }>(
  source: AsyncIterableIterator<T>,
  flow?: string | null,
): AsyncIterableIterator<T> {
  if (flow == null) return source;
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      for (;;) {
        const r = await source.next();
        if (r.done || r.value.flow === flow) return r;
      }
    },
    return: (value?: unknown) => source.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
    throw: (err?: unknown) => source.throw?.(err) ?? Promise.reject(err),
  };
  return iterator;
}

/**
 * Live events over graphql-ws (`/graphql`), fed by the hub's event bus (every instance's events when
 * Redis is configured). Access is checked once, when subscribing (`authorizeWatch`), not with
 * @Authorized: that would also run the auth checker on every event for every subscriber.
 */
@Resolver()
export class LiveEventsResolver {
  @Subscription(() => WebhookProcessedEventType, {
    description: 'Each delivery of the client (optionally one flow) as soon as it has an outcome',
    subscribe: ({ args, context }: SubscribeData<ClientFlowArgs>) => {
      authorizeWatch(context, args.client, args.flow);
      return ofFlow(context.services.events.subscribe('webhook-processed', args.client), args.flow);
    },
  })
  webhookProcessed(@Root() e: WebhookProcessedEvent, @Args() _args: ClientFlowArgs): WebhookProcessedEventType {
    return {
      id: e.id,
      client: e.clientId,
      flow: e.flow,
      action: e.action,
      outcome: e.outcome,
      httpStatus: e.httpStatus,
      durationMs: e.durationMs,
      at: e.at,
    };
  }

  @Subscription(() => FlowStatusChangedEventType, {
    description: "A flow's health turning ok, degraded or down (optionally one flow)",
    subscribe: ({ args, context }: SubscribeData<ClientFlowArgs>) => {
      authorizeWatch(context, args.client, args.flow);
      return ofFlow(context.services.events.subscribe('flow-status', args.client), args.flow);
    },
  })
  flowStatusChanged(@Root() e: FlowStatusEvent, @Args() _args: ClientFlowArgs): FlowStatusChangedEventType {
    return { client: e.clientId, flow: e.flow, status: e.status, previous: e.previous, at: e.at };
  }

  @Subscription(() => CircuitStateChangedEventType, {
    description: 'A circuit breaker of the client changing state (closed, open, half-open, isolated)',
    subscribe: ({ args, context }: SubscribeData<ClientArgs>) => {
      authorizeWatch(context, args.client);
      return context.services.events.subscribe('circuit-state', args.client);
    },
  })
  circuitStateChanged(@Root() e: CircuitStateEvent, @Args() _args: ClientArgs): CircuitStateChangedEventType {
    return { client: e.clientId, name: e.name, state: e.state, previous: e.previous, at: e.at };
  }
}
