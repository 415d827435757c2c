import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  Float,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { GatewayError } from '../../errors/gateway-error';
import { GraphQLContext, tenantOf } from '../../schema/context';
import { DateTimeScalar } from '../../schema/scalars';
import { pageSize } from '../../shared/pagination';
import type { EtlProgressEvent } from '../../subscriptions/hub-events';
import { etlRepository, EtlRunRow } from './etl.repository';
import {
  EtlCountsType,
  EtlDocumentType,
  EtlOutcomeCountType,
  EtlOutcomeEnum,
  EtlProgressType,
  EtlRunType,
  RunDailyBatchInput,
  RunDataTransformationInput,
} from './etl.type';

@Resolver(() => EtlRunType)
export class EtlRunResolver {
  @Authorized()
  @Query(() => EtlRunType, { nullable: true, description: 'An ETL run by id' })
  async etlRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<EtlRunRow | null> {
    return ctx.services.etl.find(ctx.reader, tenantOf(ctx), id).catch((err) => {
      if (err instanceof GatewayError && err.code === 'GW_ETL_RUN_NOT_FOUND') return null;
      throw err;
    });
  }

  @Authorized()
  @Query(() => [EtlRunType], { description: "The client's ETL runs created in [from, to), newest first" })
  etlRuns(
    @Arg('client') client: string,
    @Arg('from', () => DateTimeScalar, { nullable: true }) from: Date | null,
    @Arg('to', () => DateTimeScalar, { nullable: true }) to: Date | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<EtlRunRow[]> {
    return etlRepository.list(ctx.reader, tenantOf(ctx, client), from ?? null, to ?? null, pageSize(first));
  }

  @Authorized()
  @Mutation(() => EtlRunType, {
    description: 'Starts (or resumes) the daily batch of a business date; answers at once with the run',
  })
  runDailyBatch(@Arg('input') input: RunDailyBatchInput, @Ctx() ctx: GraphQLContext): Promise<EtlRunRow> {
    return ctx.unitOfWork((q) => ctx.services.etl.startDailyBatch(q, tenantOf(ctx), ctx.principal!.subject, input));
  }

  @Authorized()
  @Mutation(() => EtlRunType, {
    description: 'Starts a named transformation (rebuild_rfm); answers at once with the run',
  })
  runDataTransformation(
    @Arg('input') input: RunDataTransformationInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<EtlRunRow> {
    return ctx.unitOfWork((q) =>
      ctx.services.etl.startTransformation(q, tenantOf(ctx), ctx.principal!.subject, {
        transformation: input.transformation,
        params: input.params ?? {},
      }),
    );
  }

  @Authorized()
  @Mutation(() => EtlRunType, {
    description: 'Stops a queued or running run after its chunk in flight; committed chunks stay',
  })
  cancelEtlRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<EtlRunRow> {
    return ctx.unitOfWork((q) => ctx.services.etl.cancel(q, tenantOf(ctx), id));
  }

  @Authorized()
  @Mutation(() => EtlRunType, { description: 'Resumes a failed or cancelled run from its last checkpoint' })
  retryEtlRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<EtlRunRow> {
    return ctx.unitOfWork((q) => ctx.services.etl.retry(q, tenantOf(ctx), id));
  }

  @Authorized()
  @Subscription(() => EtlProgressType, {
    description: "A run's progress: after each committed chunk and each status change",
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      await ctx.services.etl.find(ctx.reader, tenantOf(ctx), args.runId);
      return ctx.services.events.subscribe('etl-progress', args.runId);
    },
  })
  etlProgress(@Arg('runId', () => ID) _runId: string, @Root() event: EtlProgressEvent): EtlProgressEvent {
    return event;
  }

  @FieldResolver(() => EtlCountsType)
  counts(@Root() run: EtlRunRow): EtlCountsType {
    return { extracted: run.extracted, loaded: run.loaded, skipped: run.skipped, rejected: run.rejected };
  }

  @FieldResolver(() => Float, { nullable: true, description: 'ms from start to end (or to now while running)' })
  durationMs(@Root() run: EtlRunRow): number | null {
    if (!run.startedAt) return null;
    return (run.finishedAt ?? new Date()).getTime() - run.startedAt.getTime();
  }

  @FieldResolver(() => [EtlOutcomeCountType], { description: 'Documents per kind and outcome' })
  reconciliation(@Root() run: EtlRunRow, @Ctx() ctx: GraphQLContext) {
    return etlRepository.outcomeCounts(ctx.reader, run.id);
  }

  @FieldResolver(() => [EtlDocumentType], {
    description: 'Reconciled documents, optionally of one outcome (rejects: REJECTED)',
  })
  documents(
    @Root() run: EtlRunRow,
    @Arg('outcome', () => EtlOutcomeEnum, { nullable: true }) outcome: EtlOutcomeEnum | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Ctx() ctx: GraphQLContext,
  ) {
    return etlRepository.documents(ctx.reader, run.id, outcome ?? null, pageSize(first));
  }
}
