import { GraphQLJSON } from 'graphql-scalars';
import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { clientScope } from '../auth/client-scope';
import { GatewayError } from '../errors/gateway-error';
import { GraphQLContext } from '../schema/context';
import { pageSize } from '../shared/pagination';
import { RuleEventType } from './event-types';
import type { AlertEvent } from './rule-actions';
import { ruleRepository, RuleFiringRow, RuleRow } from './rule.repository';
import {
  AlertType,
  RuleFiringOutcome,
  RuleFiringType,
  RuleInput,
  RuleTaskType,
  RuleTestInput,
  RuleTestResultType,
  RuleType,
  RuleUpdateInput,
} from './rule.type';

/** Actions as ops see them: webhook secrets never leave the server. */
function redacted(actions: unknown[]): unknown[] {
  return actions.map((a) => (a && typeof a === 'object' && 'secret' in a ? { ...(a as object), secret: '••••' } : a));
}

@Resolver(() => RuleType)
export class RuleResolver {
  @Authorized('ops')
  @Query(() => [RuleType], { description: "A client's rules" })
  rules(
    @Ctx() ctx: GraphQLContext,
    @Arg('client', () => String, { nullable: true }) client?: string,
    @Arg('eventType', () => RuleEventType, { nullable: true }) eventType?: RuleEventType,
    @Arg('enabled', () => Boolean, { nullable: true }) enabled?: boolean,
  ) {
    return ctx.services.rules.list(ctx.reader, clientScope(ctx, client), { eventType, enabled: enabled ?? undefined });
  }

  @Authorized('ops')
  @Query(() => [RuleFiringType], {
    description: 'Recent firings, newest first (of one rule or all; FAILED: with dead-lettered webhooks)',
  })
  async ruleFirings(
    @Ctx() ctx: GraphQLContext,
    @Arg('client', () => String, { nullable: true }) client?: string,
    @Arg('ruleId', () => ID, { nullable: true }) ruleId?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('outcome', () => RuleFiringOutcome, { nullable: true }) outcome?: RuleFiringOutcome,
  ) {
    const rows = await ruleRepository.firings(
      ctx.reader,
      clientScope(ctx, client),
      ruleId ?? null,
      pageSize(first),
      outcome ?? null,
    );
    return rows.map((r: RuleFiringRow) => ({ ...r, durationMs: r.durationMs === null ? null : Number(r.durationMs) }));
  }

  @Authorized('ops')
  @Query(() => [RuleTaskType], { description: 'Tasks recorded by rules, newest first' })
  ruleTasks(
    @Ctx() ctx: GraphQLContext,
    @Arg('client', () => String, { nullable: true }) client?: string,
    @Arg('status', () => String, { nullable: true }) status?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
  ) {
    return ruleRepository.tasks(ctx.reader, clientScope(ctx, client), status ?? null, pageSize(first));
  }

  @Authorized('ops')
  @Mutation(() => RuleType)
  createRule(@Arg('input') input: RuleInput, @Ctx() ctx: GraphQLContext) {
    const { client, ...draft } = input;
    return ctx.services.rules.create(clientScope(ctx, client), draft);
  }

  @Authorized('ops')
  @Mutation(() => RuleType)
  updateRule(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: RuleUpdateInput,
    @Ctx() ctx: GraphQLContext,
    @Arg('client', () => String, { nullable: true }) client?: string,
  ) {
    const draft = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== null));
    return ctx.services.rules.update(clientScope(ctx, client), id, draft);
  }

  @Authorized('ops')
  @Mutation(() => RuleType)
  setRuleEnabled(
    @Arg('id', () => ID) id: string,
    @Arg('enabled') enabled: boolean,
    @Ctx() ctx: GraphQLContext,
    @Arg('client', () => String, { nullable: true }) client?: string,
  ) {
    return ctx.services.rules.setEnabled(clientScope(ctx, client), id, enabled);
  }

  @Authorized('ops')
  @Mutation(() => RuleTestResultType, {
    description: 'Dry run: evaluates a stored rule or a draft against a sample event; runs no action',
  })
  testRule(@Arg('input') input: RuleTestInput, @Ctx() ctx: GraphQLContext) {
    if (!input.ruleId === !input.rule) {
      throw new GatewayError('GW_VALIDATION_FAILED', 'Give either ruleId or rule', {
        issues: [{ path: 'input.ruleId', code: 'one_of', message: 'ruleId or rule' }],
      });
    }
    const draft = input.rule && (({ client: _c, ...d }) => d)(input.rule);
    return ctx.services.rules.dryRun(clientScope(ctx, input.client), { id: input.ruleId, draft }, input.event);
  }

  @FieldResolver(() => GraphQLJSON)
  actions(@Root() rule: RuleRow): unknown[] {
    return redacted(rule.actions);
  }

  @Authorized()
  @Subscription(() => AlertType, {
    description: "Alerts published by the client's rules",
    subscribe: ({ args, context }) =>
      (context as GraphQLContext).services.events.subscribe(
        'alert',
        clientScope(context as GraphQLContext, args.client),
      ),
  })
  alerts(@Root() alert: AlertEvent, @Arg('client', () => String, { nullable: true }) _client?: string): AlertEvent {
    return alert;
  }
}
