import { Queryable } from '../../db/database';

export type EtlRunKind = 'daily_batch' | 'data_transformation';
export type EtlRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type EtlOutcome = 'loaded' | 'matched' | 'different' | 'extra' | 'rejected' | 'skipped';

export interface EtlRunRow {
  id: string;
  clientId: string;
  kind: EtlRunKind;
  businessDate: string | null;
  transformation: string | null;
  params: Record<string, unknown>;
  status: EtlRunStatus;
  stage: string | null;
  extracted: number;
  loaded: number;
  skipped: number;
  rejected: number;
  attempts: number;
  error: { code: string; message: string } | null;
  requestedBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

export interface DocumentOutcome {
  id: string;
  outcome: EtlOutcome;
  reason?: string | null;
  details?: unknown;
}

export interface EtlDocumentRow {
  kind: string;
  documentId: string;
  outcome: EtlOutcome;
  reason: string | null;
  details: unknown;
  recordedAt: Date;
}

export interface Counts {
  extracted: number;
  loaded: number;
  skipped: number;
  rejected: number;
}

const COLUMNS = `id, client_id as "clientId", kind, to_char(business_date, 'YYYY-MM-DD') as "businessDate",
  transformation, params, status, stage, extracted, loaded, skipped, rejected, attempts, error,
  requested_by as "requestedBy", created_at as "createdAt", started_at as "startedAt", finished_at as "finishedAt",
  updated_at as "updatedAt"`;

export const etlRepository = {
  /** A new run, or the existing daily batch of that client and date (one per date, by a unique index). */
  async create(
    q: Queryable,
    r: Pick<EtlRunRow, 'clientId' | 'kind' | 'businessDate' | 'transformation' | 'params' | 'requestedBy'>,
  ): Promise<{ run: EtlRunRow; created: boolean }> {
    const { rows } = await q.query<EtlRunRow>(
      `insert into etl_runs (client_id, kind, business_date, transformation, params, status, requested_by)
       values ($1, $2, $3, $4, $5, 'queued', $6)
       on conflict (client_id, business_date) where kind = 'daily_batch' do nothing
       returning ${COLUMNS}`,
      [r.clientId, r.kind, r.businessDate, r.transformation, JSON.stringify(r.params), r.requestedBy],
    );
    if (rows[0]) return { run: rows[0], created: true };
    const existing = await q.query<EtlRunRow>(
      `select ${COLUMNS} from etl_runs where client_id = $1 and kind = 'daily_batch' and business_date = $2`,
      [r.clientId, r.businessDate],
    );
    return { run: existing.rows[0], created: false };
  },

  async find(q: Queryable, id: string, clientId?: string): Promise<EtlRunRow | null> {
    const { rows } = await q.query<EtlRunRow>(
      `select ${COLUMNS} from etl_runs where id = $1 and ($2::text is null or client_id = $2)`,
      [id, clientId ?? null],
    );
    return rows[0] ?? null;
  },

  async list(q: Queryable, clientId: string, from: Date | null, to: Date | null, limit: number): Promise<EtlRunRow[]> {
    const { rows } = await q.query<EtlRunRow>(
      `select ${COLUMNS} from etl_runs
        where client_id = $1 and ($2::timestamptz is null or created_at >= $2)
          and ($3::timestamptz is null or created_at < $3)
        order by created_at desc, id desc limit $4`,
      [clientId, from, to, limit],
    );
    return rows;
  },

  /** Takes a queued run (or one whose worker stopped heartbeating for `leaseSeconds`). */
  async claim(q: Queryable, id: string, leaseSeconds: number): Promise<EtlRunRow | null> {
    const { rows } = await q.query<EtlRunRow>(
      `update etl_runs set status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
              finished_at = null, error = null, updated_at = now()
        where id = $1 and (status = 'queued' or (status = 'running' and updated_at < now() - make_interval(secs => $2)))
       returning ${COLUMNS}`,
      [id, leaseSeconds],
    );
    return rows[0] ?? null;
  },

  /** The run's status, locked until the chunk's transaction ends (a cancel waits for the chunk, or wins before it). */
  async lockStatus(q: Queryable, id: string): Promise<EtlRunStatus | null> {
    const { rows } = await q.query<{ status: EtlRunStatus }>(`select status from etl_runs where id = $1 for update`, [
      id,
    ]);
    return rows[0]?.status ?? null;
  },

  async checkpoint(q: Queryable, runId: string, stream: string): Promise<{ position: number; done: boolean }> {
    const { rows } = await q.query<{ position: number; done: boolean }>(
      `select position, done from etl_checkpoints where run_id = $1 and stream = $2`,
      [runId, stream],
    );
    return rows[0] ?? { position: 0, done: false };
  },

  async advance(q: Queryable, runId: string, stream: string, rows: number, done: boolean): Promise<void> {
    await q.query(
      `insert into etl_checkpoints (run_id, stream, position, done) values ($1, $2, $3, $4)
       on conflict (run_id, stream) do update
          set position = etl_checkpoints.position + excluded.position, done = excluded.done, updated_at = now()`,
      [runId, stream, rows, done],
    );
  },

  async progress(q: Queryable, id: string, stage: string, c: Counts): Promise<EtlRunRow> {
    const { rows } = await q.query<EtlRunRow>(
      `update etl_runs set stage = $2, extracted = extracted + $3, loaded = loaded + $4, skipped = skipped + $5,
              rejected = rejected + $6, updated_at = now()
        where id = $1 returning ${COLUMNS}`,
      [id, stage, c.extracted, c.loaded, c.skipped, c.rejected],
    );
    return rows[0];
  },

  async recordDocuments(
    q: Queryable,
    runId: string,
    clientId: string,
    kind: string,
    docs: DocumentOutcome[],
  ): Promise<void> {
    if (docs.length === 0) return;
    await q.query(
      `insert into etl_run_documents (run_id, client_id, kind, document_id, outcome, reason, details)
       select $1, $2, $3, * from unnest($4::text[], $5::text[], $6::text[], $7::jsonb[])
       on conflict (run_id, kind, document_id) do nothing`,
      [
        runId,
        clientId,
        kind,
        docs.map((d) => d.id),
        docs.map((d) => d.outcome),
        docs.map((d) => d.reason ?? null),
        docs.map((d) => (d.details === undefined ? null : JSON.stringify(d.details))),
      ],
    );
  },

  async finish(
    q: Queryable,
    id: string,
    status: EtlRunStatus,
    error: EtlRunRow['error'] = null,
  ): Promise<EtlRunRow | null> {
    const { rows } = await q.query<EtlRunRow>(
      `update etl_runs set status = $2, error = $3, finished_at = now(), updated_at = now()
        where id = $1 and status = 'running' returning ${COLUMNS}`,
      [id, status, error && JSON.stringify(error)],
    );
    return rows[0] ?? null;
  },

  async cancel(q: Queryable, clientId: string, id: string): Promise<EtlRunRow | null> {
    const { rows } = await q.query<EtlRunRow>(
      `update etl_runs set status = 'cancelled', finished_at = now(), updated_at = now()
        where id = $1 and client_id = $2 and status in ('queued', 'running') returning ${COLUMNS}`,
      [id, clientId],
    );
    return rows[0] ?? null;
  },

  /** A running run handed back to the queue by its worker (shutdown), claimable at once. */
  async release(q: Queryable, id: string): Promise<void> {
    await q.query(`update etl_runs set status = 'queued', updated_at = now() where id = $1 and status = 'running'`, [
      id,
    ]);
  },

  /** Back to the queue: failed and cancelled runs, and running ones whose worker is gone. */
  async requeue(q: Queryable, clientId: string, id: string, leaseSeconds: number): Promise<EtlRunRow | null> {
    const { rows } = await q.query<EtlRunRow>(
      `update etl_runs set status = 'queued', finished_at = null, updated_at = now()
        where id = $1 and client_id = $2
          and (status in ('failed', 'cancelled')
               or (status = 'running' and updated_at < now() - make_interval(secs => $3)))
       returning ${COLUMNS}`,
      [id, clientId, leaseSeconds],
    );
    return rows[0] ?? null;
  },

  async documents(q: Queryable, runId: string, outcome: EtlOutcome | null, limit: number): Promise<EtlDocumentRow[]> {
    const { rows } = await q.query<EtlDocumentRow>(
      `select kind, document_id as "documentId", outcome, reason, details, recorded_at as "recordedAt"
         from etl_run_documents
        where run_id = $1 and ($2::text is null or outcome = $2) order by kind, document_id limit $3`,
      [runId, outcome, limit],
    );
    return rows;
  },

  async outcomeCounts(
    q: Queryable,
    runId: string,
  ): Promise<Array<{ kind: string; outcome: EtlOutcome; count: number }>> {
    const { rows } = await q.query<{ kind: string; outcome: EtlOutcome; count: number }>(
      `select kind, outcome, count(*)::int as count from etl_run_documents
        where run_id = $1 group by kind, outcome order by kind, outcome`,
      [runId],
    );
    return rows;
  },
};
