import { z } from 'zod';
import { clientModule } from '../../clients/registry';
import type { Config } from '../../config';
import type { Connector } from '../../connectors/connector';
import { ConnectorPolicy, connectorPolicy } from '../../connectors/connector-policy';
import { createConnector } from '../../connectors/registry';
import { Database, Queryable } from '../../db/database';
import { GatewayError } from '../../errors/gateway-error';
import { toGatewayError } from '../../errors/to-gateway-error';
import type { Services } from '../../services';
import { isoDate, parseOrThrow } from '../../shared/fields';
import { own } from '../../shared/own';
import type { DocumentKindName } from './canonical';
import { DOCUMENT_KINDS, LoadContext } from './documents';
import type { EtlHooks } from './etl-hooks';
import { EtlDispatcher, NO_DISPATCHER } from './etl.dispatcher';
import { etlRepository, EtlRunRow } from './etl.repository';
import { PipelineOptions, RunCancelled, RunInterrupted, runStreams, skipRows, StreamStep } from './pipeline';
import { businessDayWindow } from './schedule';
import { TRANSFORMATION_NAMES, TRANSFORMATIONS } from './transformations';

/** The order a daily batch reads the source: sales before the payments and returns that refer to them. */
const DAILY_BATCH_KINDS: DocumentKindName[] = ['sale', 'payment', 'return', 'stock_position'];

const dailyBatchInput = z.object({ businessDate: isoDate() });
const transformationInput = z.object({
  transformation: z.enum(TRANSFORMATION_NAMES),
  params: z.record(z.string(), z.unknown()).default({}),
});

export interface RunOptions {
  onProgress?: PipelineOptions['onProgress'];
  unitOfWork?: PipelineOptions['unitOfWork'];
  /** Dry runs (inside a transaction that is rolled back) do not touch other modules' aggregates. */
  skipRefresh?: boolean;
}

/**
 * ETL runs: created at once (the caller gets the id), executed by the dispatcher, observable
 * throughout (etl_runs, per-document outcomes, `etl-progress` events), cancellable and resumable.
 */
export class EtlService {
  hooks: EtlHooks = {};
  /** The pg-boss `etl-run` jobs (wired in etl.wiring.ts). */
  dispatcher: EtlDispatcher = NO_DISPATCHER;
  /** Set on shutdown: running runs stop after their current chunk and go back to the queue. */
  private stopping = false;
  /** The policy around a client's source (etl.wiring.ts sets the client's resilience policy). */
  connectorPolicy: (clientId: string) => ConnectorPolicy;

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly services: () => Services,
  ) {
    const policies = new Map<string, ConnectorPolicy>();
    // One policy per client, kept across runs, so its breaker remembers a source that is down.
    this.connectorPolicy = (clientId) =>
      policies.get(clientId) ?? policies.set(clientId, connectorPolicy()).get(clientId)!;
  }

  /** Wires services of other modules (returns, RFM, snapshots); see etl.wiring.ts. */
  useHooks(hooks: EtlHooks): void {
    this.hooks = { ...this.hooks, ...hooks };
  }

  async startDailyBatch(
    q: Queryable,
    clientId: string,
    requestedBy: string,
    raw: { businessDate: string },
  ): Promise<EtlRunRow> {
    const run = await this.prepareDailyBatch(q, clientId, requestedBy, raw);
    if (run.status === 'queued') await this.dispatcher.enqueue(run.id, q);
    return run;
  }

  /**
   * The date's run, created or — when it stopped — queued again to resume (one run per client and
   * date). Not dispatched.
   */
  async prepareDailyBatch(
    q: Queryable,
    clientId: string,
    requestedBy: string,
    raw: { businessDate: string },
  ): Promise<EtlRunRow> {
    const input = parseOrThrow(dailyBatchInput, raw, ['input']);
    this.etlOf(clientId);
    const { run } = await etlRepository.create(q, {
      clientId,
      kind: 'daily_batch',
      businessDate: input.businessDate,
      transformation: null,
      params: {},
      requestedBy,
    });
    const resumed =
      run.status === 'failed' || run.status === 'cancelled'
        ? await etlRepository.requeue(q, clientId, run.id, this.config.etl.leaseSeconds)
        : null;
    return resumed ?? run;
  }

  async startTransformation(
    q: Queryable,
    clientId: string,
    requestedBy: string,
    raw: { transformation: string; params?: unknown },
  ): Promise<EtlRunRow> {
    const input = parseOrThrow(transformationInput, raw, ['input']);
    const params = parseOrThrow(TRANSFORMATIONS[input.transformation].params, input.params, ['input', 'params']);
    const { run } = await etlRepository.create(q, {
      clientId,
      kind: 'data_transformation',
      businessDate: null,
      transformation: input.transformation,
      params,
      requestedBy,
    });
    await this.dispatcher.enqueue(run.id, q);
    return run;
  }

  async cancel(q: Queryable, clientId: string, id: string): Promise<EtlRunRow> {
    const run = await etlRepository.cancel(q, clientId, id);
    if (run) {
      this.publish(run, null);
      return run;
    }
    const existing = await this.find(q, clientId, id);
    throw new GatewayError(
      'GW_INVALID_STATE',
      `Run ${id} is ${existing.status}; only queued or running runs can be cancelled`,
      { details: { status: existing.status } },
    );
  }

  async retry(q: Queryable, clientId: string, id: string): Promise<EtlRunRow> {
    const run = await etlRepository.requeue(q, clientId, id, this.config.etl.leaseSeconds);
    if (!run) {
      const existing = await this.find(q, clientId, id);
      throw new GatewayError(
        'GW_INVALID_STATE',
        `Run ${id} is ${existing.status}; only failed, cancelled or abandoned runs can be retried`,
        { details: { status: existing.status } },
      );
    }
    await this.dispatcher.enqueue(run.id, q);
    return run;
  }

  async find(q: Queryable, clientId: string, id: string): Promise<EtlRunRow> {
    const run = z.uuid().safeParse(id).success ? await etlRepository.find(q, id, clientId) : null;
    if (!run) throw new GatewayError('GW_ETL_RUN_NOT_FOUND', `No ETL run ${id}`, { details: { run_id: id } });
    return run;
  }

  /** Shutdown: runs in flight stop at their next chunk boundary and are handed back to the queue. */
  stop(): void {
    this.stopping = true;
  }

  /**
   * Executes a run: claims it, runs its stages, records the end. What the `etl-run` worker (or the
   * CLI) calls. `interrupted`: stopped by a shutdown after a committed chunk, queued again to resume.
   */
  async execute(runId: string, opts: RunOptions = {}): Promise<'done' | 'not-claimable' | 'interrupted'> {
    const unitOfWork = opts.unitOfWork ?? (<R>(fn: (q: Queryable) => Promise<R>) => this.db.transaction(fn));
    const run = await unitOfWork((q) => etlRepository.claim(q, runId, this.config.etl.leaseSeconds));
    if (!run) return 'not-claimable';
    this.publish(run, null);
    try {
      const finished =
        run.kind === 'daily_batch'
          ? await this.dailyBatch(run, unitOfWork, opts)
          : await this.transformation(run, unitOfWork);
      const done = await unitOfWork((q) => etlRepository.finish(q, run.id, 'succeeded'));
      this.publish(done ?? finished, null);
    } catch (err) {
      if (err instanceof RunInterrupted) {
        await unitOfWork((q) => etlRepository.release(q, run.id));
        return 'interrupted';
      }
      if (err instanceof RunCancelled) {
        const now = await unitOfWork((q) => etlRepository.find(q, run.id));
        if (now) this.publish(now, null);
        return 'done';
      }
      const { error } = toGatewayError(err);
      const message =
        err instanceof GatewayError
          ? err.message
          : `${(err as Error)?.name ?? 'Error'}: ${String((err as Error)?.message ?? err).slice(0, 500)}`;
      const failed = await unitOfWork((q) => etlRepository.finish(q, run.id, 'failed', { code: error.code, message }));
      if (failed) this.publish(failed, null);
    }
    return 'done';
  }

  private async dailyBatch(
    run: EtlRunRow,
    unitOfWork: PipelineOptions['unitOfWork'],
    opts: RunOptions,
  ): Promise<EtlRunRow> {
    const client = clientModule(run.clientId)!;
    const etl = this.etlOf(run.clientId);
    const window = businessDayWindow(run.businessDate!, client.timezone);
    const connector = createConnector(
      etl.source(this.config.etl.sources[run.clientId]!),
      this.connectorPolicy(run.clientId),
    );
    const ctx: LoadContext = {
      clientId: run.clientId,
      runId: run.id,
      services: this.services(),
      hooks: this.hooks,
      window,
    };
    try {
      const steps = DAILY_BATCH_KINDS.flatMap((kind) => {
        const step = this.step(kind, connector, etl.mappings[kind] as never, ctx, client.timezone);
        return step ? [step] : [];
      });
      const done = await runStreams(run, steps, {
        chunkSize: this.config.etl.chunkSize,
        unitOfWork,
        shouldStop: () => this.stopping,
        onProgress: async (r, stream) => {
          this.publish(r, stream);
          await opts.onProgress?.(r, stream);
        },
      });
      return opts.skipRefresh ? done : await this.refresh(done, unitOfWork);
    } finally {
      await connector.close().catch(() => undefined);
    }
  }

  private step<K extends DocumentKindName>(
    kind: K,
    connector: Connector,
    mapping: import('./etl-source').SourceMapping<K> | undefined,
    ctx: LoadContext,
    timezone: string,
  ): StreamStep<unknown> | null {
    if (!mapping) return null;
    const docs = DOCUMENT_KINDS[kind];
    return {
      name: kind,
      kind,
      open: (position) =>
        skipRows(mapping.transform(connector.extract(mapping.stream, { ...ctx.window, timezone }), timezone), position),
      validate: (doc) => docs.validate(doc as never),
      load: (q, chunk) => docs.load(q, ctx, chunk as never),
      extras: docs.extras && ((q) => docs.extras!(q, ctx)),
    };
  }

  /**
   * Aggregates that other modules own, refreshed through their hooks; the run records which ran. Daily
   * sales need no step: they are computed on read (analytics/daily-sales.repository.ts).
   */
  private async refresh(run: EtlRunRow, unitOfWork: PipelineOptions['unitOfWork']): Promise<EtlRunRow> {
    const h = this.hooks;
    const date = run.businessDate!;
    const refreshed: Record<string, string> = {};
    const client = clientModule(run.clientId)!;
    const endOfDay = businessDayWindow(date, client.timezone).to;
    refreshed.rfm = h.rebuildRfm ? (await h.rebuildRfm(run.clientId, date), 'refreshed') : 'not wired';
    refreshed.inventory_snapshot = h.takeInventorySnapshot
      ? (await unitOfWork((q) => h.takeInventorySnapshot!(q, run.clientId, { id: `eod-${date}`, takenAt: endOfDay })),
        'taken')
      : 'not wired';
    return unitOfWork(async (q) => {
      await q.query(`update etl_runs set params = params || jsonb_build_object('refreshed', $2::jsonb) where id = $1`, [
        run.id,
        JSON.stringify(refreshed),
      ]);
      return etlRepository.progress(q, run.id, 'refresh', { extracted: 0, loaded: 0, skipped: 0, rejected: 0 });
    });
  }

  private async transformation(run: EtlRunRow, unitOfWork: PipelineOptions['unitOfWork']): Promise<EtlRunRow> {
    const t = TRANSFORMATIONS[run.transformation as keyof typeof TRANSFORMATIONS];
    if (!t) throw new GatewayError('GW_VALIDATION_FAILED', `Unknown transformation ${run.transformation}`);
    await unitOfWork((q) =>
      etlRepository.progress(q, run.id, 'transform', { extracted: 0, loaded: 0, skipped: 0, rejected: 0 }),
    );
    const { result: _previous, ...params } = run.params;
    const result = await t.run(this.hooks, run.clientId, t.params.parse(params));
    return unitOfWork(async (q) => {
      await q.query(`update etl_runs set params = params || jsonb_build_object('result', $2::jsonb) where id = $1`, [
        run.id,
        JSON.stringify(result),
      ]);
      return etlRepository.progress(q, run.id, 'load', { extracted: 0, loaded: 1, skipped: 0, rejected: 0 });
    });
  }

  private etlOf(clientId: string) {
    const etl = clientModule(clientId)?.etl;
    if (!etl || !own(this.config.etl.sources, clientId)) {
      throw new GatewayError('GW_ETL_UNAVAILABLE', `No ETL source is configured for ${clientId} (ETL_SOURCES)`, {
        details: { client: clientId },
      });
    }
    return etl;
  }

  private publish(run: EtlRunRow, stream: string | null): void {
    this.services().events.publish('etl-progress', run.id, {
      runId: run.id,
      clientId: run.clientId,
      status: run.status,
      stage: run.stage,
      stream,
      extracted: run.extracted,
      loaded: run.loaded,
      skipped: run.skipped,
      rejected: run.rejected,
      at: new Date(),
    });
  }
}
