import { merged, Queryable, send } from '../db/database';
import { SqlFilter } from '../db/sql-filter';
import { decodeCursor, encodeCursor } from '../shared/pagination';

export type WebhookEventStatus = 'processing' | 'processed' | 'duplicate' | 'rejected' | 'failed' | 'queued' | 'dead';

export interface WebhookEventRow {
  id: string;
  clientId: string;
  flow: string;
  action: string;
  idempotencyKey: string;
  businessId: string | null;
  payloadHash: string;
  payload: unknown;
  headers: Record<string, string>;
  status: WebhookEventStatus;
  httpStatus: number | null;
  result: unknown;
  error: unknown;
  receivedAt: Date;
  processedAt: Date | null;
  durationMs: string | null;
  entityKey: string | null;
  attempts: number;
  lastErrorCode: string | null;
}

/** What a worker needs to apply a queued event again: the stored delivery. */
export interface QueuedWebhookEvent extends WebhookEventRow {
  rawBody: string;
}

export interface NewWebhookEvent {
  id: string;
  clientId: string;
  flow: string;
  action: string;
  idempotencyKey: string;
  businessId: string | null;
  payloadHash: string;
  payload: unknown;
  rawBody: string;
  headers: Record<string, string>;
  receivedAt: Date;
  /** The business entity whose events must apply in order (`sale:V-1`); null: none. */
  entityKey?: string | null;
}

export interface WebhookEventsFilter {
  flow?: string;
  action?: string;
  status?: WebhookEventStatus;
  from?: Date;
  to?: Date;
}

const COLUMNS = `id, client_id as "clientId", flow, action, idempotency_key as "idempotencyKey",
  business_id as "businessId", payload_hash as "payloadHash", payload, headers, status,
  http_status as "httpStatus", result, error, received_at as "receivedAt", processed_at as "processedAt",
  duration_ms as "durationMs", entity_key as "entityKey", attempts, last_error_code as "lastErrorCode"`;

export function webhookEventCursor(e: Pick<WebhookEventRow, 'receivedAt' | 'id'>): string {
  return encodeCursor([e.receivedAt.toISOString(), e.id]);
}

/**
 * The idempotency claim, for one event or many in one statement (`$1`: a JSON array of
 * claimRecord): each event's row, unless an accepted delivery already holds its key.
 */
export const CLAIM_SQL = `insert into webhook_events
              (id, client_id, flow, action, idempotency_key, business_id, payload_hash, payload, raw_body, headers,
               status, received_at, entity_key, processed_at)
       select t.id, t.client_id, t.flow, t.action, t.idempotency_key, t.business_id, t.payload_hash, t.payload,
              t.raw_body, t.headers, t.status, t.received_at, t.entity_key,
              case when t.status = 'processed' then now() end
         from json_to_recordset($1::json) as t(id uuid, client_id text, flow text, action text, idempotency_key text,
                                               business_id text, payload_hash text, payload jsonb, raw_body text,
                                               headers jsonb, status text, received_at timestamptz, entity_key text)
        -- one order for every claim: concurrent claims of the same keys wait, never deadlock
        order by t.client_id, t.idempotency_key
       on conflict (client_id, idempotency_key) where status in ('processing', 'processed', 'queued') do nothing`;

/**
 * One event of CLAIM_SQL's array. `processed` claims a row for the transaction that applies the
 * event: nobody sees it before COMMIT and it is gone on ROLLBACK, and markProcessed then changes no
 * indexed column (processed_at is the transaction's now() either way), so that UPDATE is a HOT
 * update that touches no index.
 */
export function claimRecord(e: NewWebhookEvent, status: 'processing' | 'queued' | 'processed') {
  return {
    id: e.id,
    client_id: e.clientId,
    flow: e.flow,
    action: e.action,
    idempotency_key: e.idempotencyKey,
    business_id: e.businessId,
    payload_hash: e.payloadHash,
    payload: e.payload,
    raw_body: e.rawBody,
    headers: e.headers,
    status,
    received_at: e.receivedAt,
    entity_key: e.entityKey ?? null,
  };
}

export const webhookEventRepository = {
  /**
   * Claims the idempotency key for this delivery inside the caller's transaction. Returns the new
   * event id, or null when an accepted event already holds the key (the unique index decides, so
   * concurrent duplicates wait for the first one's transaction instead of racing it). The claims of
   * the units sharing a transaction are one statement.
   */
  claim(q: Queryable, e: NewWebhookEvent, status: 'processing' | 'queued' = 'processing'): Promise<string | null> {
    return merged(q, `webhook-events.claim:${status}`, e, async (q, events) => {
      const { rows } = await q.query<{ id: string }>(`${CLAIM_SQL} returning id`, [
        JSON.stringify(events.map((ev) => claimRecord(ev, status))),
      ]);
      const claimed = new Set(rows.map((r) => r.id));
      return events.map((ev) => (claimed.has(ev.id) ? ev.id : null));
    });
  },

  /**
   * Pipelined inside the transaction: the COMMIT right behind it is what the caller waits for. The
   * events of the units sharing a transaction are marked in one statement.
   */
  async markProcessed(
    q: Queryable,
    id: string,
    httpStatus: number,
    result: unknown,
    durationMs: number,
  ): Promise<void> {
    await merged(
      q,
      'webhook-events.processed',
      { id, http_status: httpStatus, result, duration_ms: durationMs.toFixed(3) },
      async (q, marks) => {
        await send(
          q,
          // `w.id = any($1)` lets the plan find the rows by primary key whatever the table's size (joined
          // to the recordset alone, the cached plan made while the table was small scans it).
          `update webhook_events w
              set status = 'processed', http_status = t.http_status, result = t.result, processed_at = now(),
                  duration_ms = t.duration_ms
           from json_to_recordset($2::json) as t(id uuid, http_status int, result jsonb, duration_ms numeric)
          where w.id = any($1::uuid[]) and w.id = t.id`,
          [marks.map((m) => m.id), JSON.stringify(marks)],
        );
        return marks.map(() => undefined);
      },
    );
  },

  /** Records a delivery that had no effect (duplicate, refused or failed); it holds no idempotency key. */
  async insertWithoutEffect(
    q: Queryable,
    e: NewWebhookEvent & {
      status: 'duplicate' | 'rejected' | 'failed';
      httpStatus: number;
      result: unknown;
      error: unknown;
      durationMs: number;
    },
  ): Promise<string> {
    const { rows } = await q.query<{ id: string }>(
      `insert into webhook_events (id, client_id, flow, action, idempotency_key, business_id, payload_hash, payload,
         raw_body, headers, status, http_status, result, error, received_at, processed_at, duration_ms)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now(), $16)
       returning id`,
      [
        e.id,
        e.clientId,
        e.flow,
        e.action,
        e.idempotencyKey,
        e.businessId,
        e.payloadHash,
        JSON.stringify(e.payload ?? null),
        e.rawBody,
        e.headers,
        e.status,
        e.httpStatus,
        JSON.stringify(e.result),
        JSON.stringify(e.error),
        e.receivedAt,
        e.durationMs.toFixed(3),
      ],
    );
    return rows[0].id;
  },

  async findAcceptedByKey(q: Queryable, clientId: string, idempotencyKey: string): Promise<WebhookEventRow | null> {
    const { rows } = await q.query<WebhookEventRow>(
      `select ${COLUMNS} from webhook_events
       where client_id = $1 and idempotency_key = $2 and status in ('processing', 'processed', 'queued')`,
      [clientId, idempotencyKey],
    );
    return rows[0] ?? null;
  },

  async find(q: Queryable, clientId: string, id: string): Promise<WebhookEventRow | null> {
    const { rows } = await q.query<WebhookEventRow>(
      `select ${COLUMNS} from webhook_events where client_id = $1 and id = $2`,
      [clientId, id],
    );
    return rows[0] ?? null;
  },

  async page(
    q: Queryable,
    clientId: string,
    filter: WebhookEventsFilter,
    limit: number,
    after?: string,
  ): Promise<WebhookEventRow[]> {
    const f = new SqlFilter()
      .where('client_id = ?', clientId)
      .whereIf(filter.flow, 'flow = ?')
      .whereIf(filter.action, 'action = ?')
      .whereIf(filter.status, 'status = ?')
      .whereIf(filter.from, 'received_at >= ?')
      .whereIf(filter.to, 'received_at < ?');
    if (after) f.where('(received_at, id) < (?::timestamptz, ?::uuid)', ...decodeCursor(after, 2));
    const { rows } = await q.query<WebhookEventRow>(
      `select ${COLUMNS} from webhook_events where ${f.sql} order by received_at desc, id desc limit ${f.param(limit)}`,
      f.values,
    );
    return rows;
  },
};
