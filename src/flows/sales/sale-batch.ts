import { Queryable } from '../../db/database';
import { inventoryLedgerRepository } from '../../domain/inventory-ledger.repository';
import { masterDataRepository } from '../../domain/master-data.repository';
import { negativeStockAllowed } from '../../domain/stock-guard';
import { GatewayError } from '../../errors/gateway-error';
import type { RegisterSaleInput } from './sale.input';
import { saleRepository } from './sale.repository';
import { prepareSale, PreparedSale } from './sale.service';

export type SaleBatchOutcome =
  | { id: string; outcome: 'created' }
  | { id: string; outcome: 'existing' }
  | { id: string; outcome: 'conflict'; error: GatewayError }
  | { id: string; outcome: 'rejected'; error: GatewayError };

/**
 * registerSale for many sales at once, with the same rules and the same tables: each sale passes
 * prepareSale (contract, discounts, total to the cent), master data is registered, the sale and its
 * items are inserted unless the id exists, and every new sale's lines leave stock through the one
 * inventory ledger — the same repository calls registerSale makes (its sale is a batch of one). An
 * existing id with the same content is `existing`, with other content a `conflict` — as registerSale
 * answers one by one. Four statements per batch, never one per sale.
 * Clients that refuse negative stock on sales go one by one (`one`), since that rule is per sale.
 */
export async function registerSalesBatch(
  q: Queryable,
  clientId: string,
  raws: RegisterSaleInput[],
  one: (raw: RegisterSaleInput) => Promise<unknown>,
): Promise<SaleBatchOutcome[]> {
  const outcomes = new Map<number, SaleBatchOutcome>();
  const firstOfId = new Map<string, { index: number; sale: PreparedSale }>();
  const repeats: Array<{ index: number; sale: PreparedSale }> = [];
  raws.forEach((raw, index) => {
    try {
      const sale = prepareSale(raw);
      if (firstOfId.has(sale.input.id)) repeats.push({ index, sale });
      else firstOfId.set(sale.input.id, { index, sale });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      outcomes.set(index, { id: String(raw?.id ?? ''), outcome: 'rejected', error: err });
    }
  });
  const sales = [...firstOfId.values()];
  if (!negativeStockAllowed(clientId)) return oneByOne(q, clientId, raws, outcomes, sales, repeats, one);

  await masterDataRepository.register(q, clientId, {
    locations: sales.map((s) => s.sale.input.storeCode),
    products: sales.flatMap((s) => s.sale.lines),
    customers: sales.flatMap(({ sale: { input } }) =>
      input.customer
        ? [
            {
              id: input.customer.id,
              name: input.customer.name ?? null,
              email: input.customer.email ?? null,
              document: input.customer.document ?? null,
            },
          ]
        : [],
    ),
  });
  const created = new Set(
    (
      await saleRepository.insertManyWithItems(
        q,
        clientId,
        sales.map(({ sale: { input, lines, total, payloadHash } }) => ({
          id: input.id,
          storeCode: input.storeCode,
          channel: input.channel,
          customerId: input.customer?.id ?? null,
          soldAt: input.soldAt,
          total,
          payloadHash,
          items: lines,
        })),
      )
    ).map((r) => r.id),
  );
  const lines = sales
    .filter((s) => created.has(s.sale.input.id))
    .flatMap(({ sale }) =>
      sale.lines.map((l) => ({
        locationCode: sale.input.storeCode,
        sku: l.sku,
        delta: -l.quantity,
        kind: 'sale' as const,
        sourceType: 'sale',
        sourceId: sale.input.id,
        occurredAt: sale.input.soldAt,
      })),
    );
  await inventoryLedgerRepository.record(q, clientId, lines);

  const known = await saleRepository.payloadHashes(
    q,
    clientId,
    [...sales, ...repeats].map((s) => s.sale.input.id).filter((id) => !created.has(id)),
  );
  for (const { index, sale } of sales) {
    outcomes.set(index, created.has(sale.input.id) ? { id: sale.input.id, outcome: 'created' } : compare(sale, known));
  }
  for (const { index, sale } of repeats)
    outcomes.set(
      index,
      compare(sale, known, created.has(sale.input.id) ? firstOfId.get(sale.input.id)!.sale.payloadHash : undefined),
    );
  return raws.map((_, i) => outcomes.get(i)!);
}

function compare(sale: PreparedSale, known: Map<string, string>, createdHash?: string): SaleBatchOutcome {
  const id = sale.input.id;
  const stored = createdHash ?? known.get(id);
  if (stored === sale.payloadHash) return { id, outcome: 'existing' };
  return {
    id,
    outcome: 'conflict',
    error: new GatewayError('GW_BUSINESS_ID_CONFLICT', `A different sale with id ${id} was already registered`, {
      details: { sale_id: id },
    }),
  };
}

/** One savepoint per sale so a refused sale does not undo the others. */
async function oneByOne(
  q: Queryable,
  clientId: string,
  raws: RegisterSaleInput[],
  outcomes: Map<number, SaleBatchOutcome>,
  sales: Array<{ index: number; sale: PreparedSale }>,
  repeats: Array<{ index: number; sale: PreparedSale }>,
  one: (raw: RegisterSaleInput) => Promise<unknown>,
): Promise<SaleBatchOutcome[]> {
  for (const { index } of [...sales, ...repeats].sort((a, b) => a.index - b.index)) {
    const raw = raws[index];
    await q.query('savepoint sale_one');
    try {
      const before = await saleRepository.payloadHashes(q, clientId, [raw.id]);
      await one(raw);
      outcomes.set(index, { id: raw.id, outcome: before.size ? 'existing' : 'created' });
      await q.query('release savepoint sale_one');
    } catch (err) {
      await q.query('rollback to savepoint sale_one');
      if (!(err instanceof GatewayError)) throw err;
      outcomes.set(index, {
        id: raw.id,
        outcome: err.code === 'GW_BUSINESS_ID_CONFLICT' ? 'conflict' : 'rejected',
        error: err,
      });
    }
  }
  return raws.map((_, i) => outcomes.get(i)!);
}
