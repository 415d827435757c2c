import { merged, Queryable } from '../db/database';
import {
  CLAIM_SQL,
  claimRecord,
  NewWebhookEvent,
  QueuedWebhookEvent,
  WebhookEventStatus,
} from './webhook-event.repository';

const QUEUED_COLUMNS = `id, client_id as "clientId", flow, action, idempotency_key as "idempotencyKey",
  business_id as "businessId", payload_hash as "payloadHash", payload, raw_body as "rawBody", headers, status,
  http_status as "httpStatus", result, error,
  received_at as "receivedAt", processed_at as "processedAt", duration_ms as "durationMs",
  entity_key as "entityKey", attempts, last_error_code as "lastErrorCode"`;

export interface ReplayFilter {
  flow?: string;
  action?: string;
  status?: 'dead' | 'failed';
  from?: Date;
  to?: Date;
  ids?: string[];
}

/** An older queued event of the same entity, for the event given by its parameter placeholders. */
function predecessorQueued(p: { id: string; client: string; receivedAt: string; entity: string }): string {
  return `select 1 from webhook_events w
        where w.client_id = ${p.client} and w.entity_key = ${p.entity} and w.status = 'queued' and w.id <> ${p.id}
          and (w.received_at, w.id) < (${p.receivedAt}::timestamptz, ${p.id}::uuid)
          and w.last_error_code is distinct from 'GW_PREDECESSOR_MISSING'`;
}

/** predecessorQueued for the rows claimInLine claims. */
const BEHIND_CLAIMED = predecessorQueued({
  id: 'c.id',
  client: 'c.client_id',
  receivedAt: 'c.received_at',
  entity: 'c.entity_key',
});

/** The queue's view of webhook_events: the row is the source of truth, the job only a pointer to it. */
export const webhookQueueRepository = {
  /** Locks a queued event for its worker; null when it is no longer queued (already applied, refused or dead). */
  async lockQueued(q: Queryable, id: string, generation: number): Promise<QueuedWebhookEvent | null> {
    const { rows } = await q.query<QueuedWebhookEvent>(
      `select ${QUEUED_COLUMNS} from webhook_events
        where id = $1 and status = 'queued' and queue_generation = $2 for update`,
      [id, generation],
    );
    return rows[0] ?? null;
  },

  /**
   * An older event of the same entity still waiting its turn (parked ones, waiting for a
   * predecessor themselves, do not hold the line).
   */
  async hasPendingPredecessor(
    q: Queryable,
    e: { id: string; clientId: string; entityKey?: string | null; receivedAt: Date },
  ): Promise<boolean> {
    if (!e.entityKey) return false;
    const { rows } = await q.query(
      `${predecessorQueued({ id: '$1', client: '$2', receivedAt: '$3', entity: '$4' })} limit 1`,
      [e.id, e.clientId, e.receivedAt, e.entityKey],
    );
    return rows.length > 0;
  },

  /**
   * The claim and the line check in one round trip: null when the key is taken, else whether older
   * events of the entity are queued. The claims of the units sharing a transaction are one statement.
   */
  claimInLine(q: Queryable, e: NewWebhookEvent): Promise<{ behindQueued: boolean } | null> {
    return merged(q, 'webhook-events.claim-in-line', e, async (q, events) => {
      const { rows } = await q.query<{ id: string; behindQueued: boolean }>(
        `with claimed as (${CLAIM_SQL} returning id, client_id, received_at, entity_key)
         select c.id, exists (${BEHIND_CLAIMED}) as "behindQueued"
           from claimed c`,
        [JSON.stringify(events.map((ev) => claimRecord(ev, 'processed')))],
      );
      const claimed = new Map(rows.map((r) => [r.id, { behindQueued: r.behindQueued }]));
      return events.map((ev) => claimed.get(ev.id) ?? null);
    });
  },

  async markQueued(q: Queryable, id: string): Promise<void> {
    await q.query(`update webhook_events set status = 'queued', processed_at = null where id = $1`, [id]);
  },

  /** A failed attempt that will be retried: the event stays queued and remembers why. */
  async recordAttempt(q: Queryable, id: string, generation: number, code: string, error: unknown): Promise<void> {
    await q.query(
      `update webhook_events set attempts = attempts + 1, last_error_code = $3, error = $4
        where id = $1 and status = 'queued' and queue_generation = $2`,
      [id, generation, code, JSON.stringify(error)],
    );
  },

  /** Ends a queued event without effect: refused (4xx) or dead (retries exhausted). */
  async settle(
    q: Queryable,
    id: string,
    generation: number,
    status: Extract<WebhookEventStatus, 'rejected' | 'dead'>,
    httpStatus: number,
    code: string,
    error: unknown,
    durationMs: number,
  ): Promise<boolean> {
    const { rowCount } = await q.query(
      `update webhook_events set status = $2, http_status = $3, last_error_code = $4, error = $5, processed_at = now(),
              duration_ms = $6, attempts = attempts + 1
        where id = $1 and status = 'queued' and queue_generation = $7`,
      [id, status, httpStatus, code, JSON.stringify(error), durationMs.toFixed(3), generation],
    );
    return (rowCount ?? 0) > 0;
  },

  /** Dead or failed events matching the filter, locked for their replay (skips rows another replay holds). */
  async replayCandidates(
    q: Queryable,
    clientId: string,
    f: ReplayFilter,
    limit: number,
  ): Promise<Array<{ id: string; flow: string; entityKey: string | null; idempotencyKey: string }>> {
    const { rows } = await q.query<{ id: string; flow: string; entityKey: string | null; idempotencyKey: string }>(
      `select id, flow, entity_key as "entityKey", idempotency_key as "idempotencyKey" from webhook_events
        where client_id = $1 and status = any($2::text[])
          and ($3::text is null or flow = $3) and ($4::text is null or action = $4)
          and ($5::timestamptz is null or received_at >= $5) and ($6::timestamptz is null or received_at < $6)
          and ($7::uuid[] is null or id = any($7::uuid[]))
        order by received_at, id
        limit $8
        for update skip locked`,
      [
        clientId,
        f.status ? [f.status] : ['dead', 'failed'],
        f.flow ?? null,
        f.action ?? null,
        f.from ?? null,
        f.to ?? null,
        f.ids ?? null,
        limit,
      ],
    );
    return rows;
  },

  /**
   * Back to the queue in a new generation (jobs of the previous one are void), unless a newer
   * delivery with the same idempotency key was accepted since. Returns the generation, or null.
   */
  async requeue(q: Queryable, id: string): Promise<number | null> {
    const { rows } = await q.query<{ generation: number }>(
      `update webhook_events e
          set status = 'queued', attempts = 0, last_error_code = null, processed_at = null, http_status = null,
              queue_generation = queue_generation + 1
        where e.id = $1 and e.status in ('dead', 'failed')
          and not exists (select 1 from webhook_events o
                           where o.client_id = e.client_id and o.idempotency_key = e.idempotency_key
                             and o.status in ('processing', 'processed', 'queued'))
        returning queue_generation as generation`,
      [id],
    );
    return rows[0]?.generation ?? null;
  },
};
