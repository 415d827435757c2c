import { Queryable } from '../db/database';
import { own } from '../shared/own';
import { WebhookEventRow } from '../webhooks/webhook-event.repository';
import { DomainEvent, RuleEventType } from './event-types';

type Data = Record<string, any>;
type Derive = (q: Queryable, e: WebhookEventRow, data: Data) => Promise<DomainEvent[]>;

const amount = (v: unknown) => (v === null || v === undefined ? null : Number(v));

async function one<T>(q: Queryable, sql: string, values: unknown[]): Promise<T | null> {
  const { rows } = await q.query(sql, values);
  return (rows[0] as T) ?? null;
}

function event(
  e: WebhookEventRow,
  type: RuleEventType,
  facts: Record<string, unknown>,
  customerId?: string | null,
): DomainEvent {
  return {
    type,
    clientId: e.clientId,
    key: e.id,
    facts: { ...facts, webhookEventId: e.id, flow: e.flow, action: e.action },
    customerId,
  };
}

interface SaleFacts {
  saleId: string;
  storeCode: string;
  channel: string;
  customerId: string | null;
  total: string;
  paidAmount: string;
  status: string;
  soldAt: Date;
  itemCount: number;
  quantity: number;
}

const saleFacts = (q: Queryable, clientId: string, saleId: string) =>
  one<SaleFacts>(
    q,
    `select s.id as "saleId", s.store_code as "storeCode", s.channel, s.customer_id as "customerId", s.total,
            s.paid_amount as "paidAmount", s.status, s.sold_at as "soldAt",
            (select count(*)::int from sale_items i
              where i.client_id = s.client_id and i.sale_id = s.id) as "itemCount",
            (select coalesce(sum(quantity), 0)::int from sale_items i
              where i.client_id = s.client_id and i.sale_id = s.id) as quantity
       from sales s where s.client_id = $1 and s.id = $2`,
    [clientId, saleId],
  );

/**
 * Per ERP action, the domain events its processed delivery stands for (keyed by action name, which
 * is unique across the flows). Facts come from the committed rows, amounts as numbers for comparisons.
 */
const BY_ACTION: Record<string, Derive> = {
  async register_sale(q, e, data) {
    const s = await saleFacts(q, e.clientId, data.sale_id);
    if (!s) return [];
    return [
      event(
        e,
        RuleEventType.SALE_REGISTERED,
        { ...s, total: amount(s.total), paidAmount: amount(s.paidAmount) },
        s.customerId,
      ),
    ];
  },

  async register_payment(q, e, data) {
    const p = await one<{ amount: string; method: string; installments: number }>(
      q,
      `select amount, method, installments from payments where client_id = $1 and id = $2`,
      [e.clientId, data.payment_id],
    );
    const s = await saleFacts(q, e.clientId, data.sale_id);
    if (!p || !s) return [];
    return [
      event(
        e,
        RuleEventType.PAYMENT_REGISTERED,
        {
          paymentId: data.payment_id,
          saleId: s.saleId,
          amount: amount(p.amount),
          method: p.method,
          installments: p.installments,
          saleTotal: amount(s.total),
          salePaid: amount(s.paidAmount),
          saleStatus: s.status,
          storeCode: s.storeCode,
          customerId: s.customerId,
        },
        s.customerId,
      ),
    ];
  },

  async register_cancellation(q, e, data) {
    const s = await saleFacts(q, e.clientId, data.sale_id);
    if (!s) return [];
    return [
      event(
        e,
        RuleEventType.SALE_CANCELLED,
        { ...s, total: amount(s.total), paidAmount: amount(s.paidAmount), reason: data.reason },
        s.customerId,
      ),
    ];
  },

  async register_return(q, e, data) {
    const s = await saleFacts(q, e.clientId, data.sale_id);
    const items = (data.items ?? []) as Array<{ sku: string; quantity: number }>;
    const value = (
      await one<{ value: string }>(q, `select value from returns where client_id = $1 and id = $2`, [
        e.clientId,
        data.return_id,
      ])
    )?.value;
    return [
      event(
        e,
        RuleEventType.RETURN_REGISTERED,
        {
          returnId: data.return_id,
          saleId: data.sale_id,
          storeCode: data.store_code,
          quantity: items.reduce((n, i) => n + i.quantity, 0),
          itemCount: items.length,
          value: amount(value),
          saleTotal: amount(s?.total),
          customerId: s?.customerId ?? null,
        },
        s?.customerId ?? null,
      ),
    ];
  },

  /** Divergence = received − sent per sku, against the create_transfer delivery of the same transfer. */
  async receive_at_store(q, e, data) {
    const created = await one<{ payload: { data: Data } }>(
      q,
      `select payload from webhook_events
        where client_id = $1 and action = 'create_transfer' and status = 'processed'
          and payload -> 'data' ->> 'transfer_id' = $2
        order by received_at limit 1`,
      [e.clientId, data.transfer_id],
    );
    if (!created) return [];
    const qty = new Map<string, { sku: string; sent: number; received: number }>();
    for (const i of created.payload.data.items ?? [])
      qty.set(String(i.sku).toUpperCase(), { sku: String(i.sku).toUpperCase(), sent: i.quantity, received: 0 });
    for (const i of data.items ?? []) {
      const sku = String(i.sku).toUpperCase();
      qty.set(sku, { sku, sent: qty.get(sku)?.sent ?? 0, received: i.quantity });
    }
    const divergences = [...qty.values()]
      .map((d) => ({ ...d, divergence: d.received - d.sent }))
      .filter((d) => d.divergence !== 0);
    if (divergences.length === 0) return [];
    return [
      event(e, RuleEventType.TRANSFER_RECEIVED_WITH_DIVERGENCE, {
        transferId: data.transfer_id,
        originCode: created.payload.data.origin_code,
        destinationCode: created.payload.data.destination_code,
        divergences,
        missingUnits: divergences.reduce((n, d) => n + Math.max(0, -d.divergence), 0),
        extraUnits: divergences.reduce((n, d) => n + Math.max(0, d.divergence), 0),
      }),
    ];
  },
};

/** The stock positions a delivery moved: movements recorded in its transaction (recorded_at = processed_at = now()). */
async function stockLevels(q: Queryable, e: WebhookEventRow): Promise<DomainEvent[]> {
  if (!e.processedAt) return [];
  const { rows } = await q.query<{ locationCode: string; sku: string; quantity: number; delta: number }>(
    `select m.location_code as "locationCode", m.sku, sum(m.quantity_delta)::int as delta,
            -- the stock right after this delivery (not now: later deliveries may have moved it since)
            (array_agg(m.resulting_quantity order by m.id desc))[1] as quantity
       from inventory_movements m
      where m.client_id = $1 and m.recorded_at = (select processed_at from webhook_events where id = $2)
        -- sales committed together (group commit) share a transaction: each keeps to its own sale
        and ($3::text is null or (m.source_type = 'sale' and m.source_id = $3))
      group by m.client_id, m.location_code, m.sku order by 1, 2`,
    // compared in SQL: microseconds do not survive a JS Date
    [e.clientId, e.id, e.action === 'register_sale' ? e.businessId : null],
  );
  return rows.map((r) => ({
    type: RuleEventType.STOCK_LEVEL,
    clientId: e.clientId,
    key: `${e.id}:${r.locationCode}:${r.sku}`,
    facts: {
      locationCode: r.locationCode,
      sku: r.sku,
      quantity: r.quantity,
      delta: r.delta,
      webhookEventId: e.id,
      flow: e.flow,
      action: e.action,
    },
  }));
}

/** The event type each action of BY_ACTION derives (besides STOCK_LEVEL, which any delivery moving stock yields). */
const TYPE_OF_ACTION: Partial<Record<string, RuleEventType>> = {
  register_sale: RuleEventType.SALE_REGISTERED,
  register_payment: RuleEventType.PAYMENT_REGISTERED,
  register_cancellation: RuleEventType.SALE_CANCELLED,
  register_return: RuleEventType.RETURN_REGISTERED,
  receive_at_store: RuleEventType.TRANSFER_RECEIVED_WITH_DIVERGENCE,
};

/** The event types a processed delivery of this action may stand for (to skip it when no rule listens to any). */
export function eventTypesOf(action: string): RuleEventType[] {
  const type = own(TYPE_OF_ACTION, action);
  return type ? [type, RuleEventType.STOCK_LEVEL] : [RuleEventType.STOCK_LEVEL];
}

/**
 * The domain events a processed delivery stands for (none for refused or duplicate deliveries),
 * limited to the `wanted` types (those some rule listens to): the others are not even derived.
 */
export async function domainEventsOf(
  q: Queryable,
  e: WebhookEventRow,
  wanted?: ReadonlySet<RuleEventType>,
): Promise<DomainEvent[]> {
  if (e.status !== 'processed') return [];
  const data = ((e.payload as { data?: Data } | null)?.data ?? {}) as Data;
  const derive = own(BY_ACTION, e.action);
  const want = (t: RuleEventType | undefined) => !!t && (!wanted || wanted.has(t));
  return [
    ...(derive && want(own(TYPE_OF_ACTION, e.action)) ? await derive(q, e, data) : []),
    ...(want(RuleEventType.STOCK_LEVEL) ? await stockLevels(q, e) : []),
  ];
}

const RFM_ACTIONS: ReadonlySet<string> = new Set(['register_sale', 'register_cancellation', 'register_return']);

/** The sale whose customer's RFM a delivery changes (sale, cancellation, return), from its canonical data. */
export function saleAffectingRfm(action: string, data: unknown): string | null {
  const saleId = (data as Data | null)?.sale_id;
  return RFM_ACTIONS.has(action) && typeof saleId === 'string' ? saleId : null;
}

/** The same, from a stored delivery. */
export function salesAffectingRfm(e: WebhookEventRow): string[] {
  const saleId = saleAffectingRfm(e.action, (e.payload as { data?: Data } | null)?.data);
  return saleId ? [saleId] : [];
}
