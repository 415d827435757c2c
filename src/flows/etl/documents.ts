import type { Queryable } from '../../db/database';
import { inventoryLedgerRepository } from '../../domain/inventory-ledger.repository';
import { GatewayError } from '../../errors/gateway-error';
import { saleRepository } from '../sales/sale.repository';
import { prepareSale } from '../sales/sale.service';
import type { Services } from '../../services';
import type { CanonicalDocuments, DocumentKindName } from './canonical';
import type { EtlHooks } from './etl-hooks';
import { DocumentOutcome } from './etl.repository';

export interface LoadContext {
  clientId: string;
  runId: string;
  services: Services;
  hooks: EtlHooks;
  window: { from: Date; to: Date };
}

/** One kind of document: its domain check (validate stage), how it is loaded, and what "extra" means. */
export interface DocumentKind<K extends DocumentKindName> {
  /** Pure domain rules, before any write: the reason it is refused, or null. */
  validate(doc: CanonicalDocuments[K]): string | null;
  /** Loads a chunk inside the chunk's transaction through the domain service; an outcome per document. */
  load(
    q: Queryable,
    ctx: LoadContext,
    docs: Array<{ id: string; doc: CanonicalDocuments[K] }>,
  ): Promise<DocumentOutcome[]>;
  /** Records what the hub holds for the window and the source did not list. */
  extras?(q: Queryable, ctx: LoadContext): Promise<void>;
}

export function reasonOf(err: unknown): string {
  if (err instanceof GatewayError) {
    const issues = err.issues?.map((i) => `${i.path}: ${i.message}`).join('; ');
    return `${err.code}: ${err.message}${issues ? ` (${issues})` : ''}`;
  }
  throw err;
}

/**
 * A different document under a known id is recorded for ops, never overwritten (the ERP's
 * correction is a business decision).
 */
const different = (id: string, err: GatewayError): DocumentOutcome => ({
  id,
  outcome: 'different',
  reason: err.code,
  details: err.details ?? null,
});

/** Runs one document's write in a savepoint so a refusal does not undo the chunk. */
async function eachInSavepoint<T>(
  q: Queryable,
  docs: Array<{ id: string; doc: T }>,
  write: (doc: T) => Promise<'created' | 'existing'>,
): Promise<DocumentOutcome[]> {
  const out: DocumentOutcome[] = [];
  for (const { id, doc } of docs) {
    await q.query('savepoint etl_doc');
    try {
      const r = await write(doc);
      await q.query('release savepoint etl_doc');
      out.push({ id, outcome: r === 'created' ? 'loaded' : 'matched' });
    } catch (err) {
      await q.query('rollback to savepoint etl_doc');
      if (err instanceof GatewayError && err.code === 'GW_BUSINESS_ID_CONFLICT') out.push(different(id, err));
      else
        out.push({
          id,
          outcome: 'rejected',
          reason: reasonOf(err),
          details: err instanceof GatewayError ? (err.details ?? null) : null,
        });
    }
  }
  return out;
}

/** `sql` lists the hub's ids; it may use $2 (client), $4 and $5 (the window) or the values of `extra` from $4. */
async function extrasFrom(q: Queryable, ctx: LoadContext, kind: string, sql: string, extra?: unknown[]): Promise<void> {
  await q.query(
    `insert into etl_run_documents (run_id, client_id, kind, document_id, outcome, reason)
     select $1, $2, $3::text, x.id, 'extra', 'in the hub, not in the source'
       from (${sql} except select document_id from etl_run_documents where run_id = $1 and kind = $3::text) x(id)
     on conflict do nothing`,
    [ctx.runId, ctx.clientId, kind, ...(extra ?? [ctx.window.from, ctx.window.to])],
  );
}

export const DOCUMENT_KINDS: { [K in DocumentKindName]: DocumentKind<K> } = {
  sale: {
    validate(doc) {
      try {
        prepareSale(doc);
        return null;
      } catch (err) {
        return reasonOf(err);
      }
    },
    async load(q, ctx, docs) {
      const results = await ctx.services.sales.registerSales(
        q,
        ctx.clientId,
        docs.map((d) => d.doc),
      );
      return results.map((r, i): DocumentOutcome => {
        const id = docs[i].id;
        if (r.outcome === 'created') return { id, outcome: 'loaded' };
        if (r.outcome === 'existing') return { id, outcome: 'matched' };
        if (r.outcome === 'conflict') return different(id, r.error);
        return { id, outcome: 'rejected', reason: reasonOf(r.error), details: r.error.details ?? null };
      });
    },
    extras: (q, ctx) =>
      extrasFrom(q, ctx, 'sale', `select id from sales where client_id = $2 and sold_at >= $4 and sold_at < $5`),
  },
  payment: {
    validate: () => null,
    load: (q, ctx, docs) =>
      eachInSavepoint(q, docs, async (doc) => {
        const before = await saleRepository.findPayment(q, ctx.clientId, doc.id);
        await ctx.services.sales.registerPayment(q, ctx.clientId, doc);
        return before ? 'existing' : 'created';
      }),
    extras: (q, ctx) =>
      extrasFrom(q, ctx, 'payment', `select id from payments where client_id = $2 and paid_at >= $4 and paid_at < $5`),
  },
  return: {
    validate: (doc) => (doc.items.length === 0 ? 'a return needs at least one item' : null),
    async load(q, ctx, docs) {
      const register = ctx.hooks.registerReturn;
      if (!register)
        return docs.map(({ id }) => ({
          id,
          outcome: 'skipped',
          reason: 'no returns service is wired',
        }));
      return eachInSavepoint(q, docs, (doc) => register(q, ctx.clientId, doc));
    },
    async extras(q, ctx) {
      if (!ctx.hooks.returnIdsBetween) return;
      const ids = await ctx.hooks.returnIdsBetween(q, ctx.clientId, ctx.window.from, ctx.window.to);
      await extrasFrom(q, ctx, 'return', `select unnest($4::text[]) as id`, [ids]);
    },
  },
  stock_position: {
    validate: (doc) => (Number.isInteger(doc.quantity) ? null : 'quantity is not an integer'),
    /**
     * Positions are compared, not loaded (a correction is an inventory adjustment ops decide on), with
     * the ledger as of the end of the business date: movements that occurred after it do not count.
     */
    async load(q, ctx, docs) {
      const positions = docs.map((d) => ({ locationCode: d.doc.locationCode, sku: d.doc.sku }));
      const hub = await inventoryLedgerRepository.stockAsOf(q, ctx.clientId, positions, ctx.window.to);
      return docs.map(({ id, doc }): DocumentOutcome => {
        const ours = hub.get(`${doc.locationCode}/${doc.sku}`) ?? 0;
        return ours === doc.quantity
          ? { id, outcome: 'matched' }
          : { id, outcome: 'different', reason: 'stock differs', details: { source: doc.quantity, hub: ours } };
      });
    },
    // Positions not zero at the end of the business date (the running stock less what moved since).
    extras: (q, ctx) =>
      extrasFrom(
        q,
        ctx,
        'stock_position',
        `select s.location_code || '/' || s.sku as id
           from stock_levels s
           left join (
             select location_code, sku, sum(quantity_delta) as delta from inventory_movements
              where client_id = $2 and occurred_at >= $4 group by location_code, sku
           ) later using (location_code, sku)
          where s.client_id = $2 and s.quantity - coalesce(later.delta, 0) <> 0`,
        [ctx.window.to],
      ),
  },
};

/** Which counter an outcome adds to. Extras are reported in the reconciliation, not counted as extracted. */
export function countsOf(outcomes: DocumentOutcome[]) {
  const c = { loaded: 0, skipped: 0, rejected: 0 };
  for (const o of outcomes) {
    if (o.outcome === 'loaded') c.loaded++;
    else if (o.outcome === 'rejected') c.rejected++;
    else c.skipped++;
  }
  return c;
}
