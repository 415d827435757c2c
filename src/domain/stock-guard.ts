import { clientModule } from '../clients/registry';
import { Queryable } from '../db/database';
import { GatewayError } from '../errors/gateway-error';

export interface Removal {
  locationCode: string;
  sku: string;
  quantity: number;
}

export interface Shortfall extends Removal {
  available: number;
}

/**
 * The stock rule: a movement that would take a (location, sku) below zero is not allowed. Questions
 * (validate_movement) are answered by it; facts go through `checkFactRemovals`. `lock` takes the stock
 * rows FOR UPDATE so the answer holds until the transaction ends.
 */
export async function findShortfalls(
  q: Queryable,
  clientId: string,
  removals: Removal[],
  opts: { lock?: boolean } = {},
): Promise<Shortfall[]> {
  const wanted = new Map<string, Removal>();
  for (const r of removals) {
    const k = `${r.locationCode}\u0000${r.sku}`;
    const prev = wanted.get(k);
    wanted.set(k, { ...r, quantity: (prev?.quantity ?? 0) + r.quantity });
  }
  const list = [...wanted.values()].sort(
    (a, b) => a.locationCode.localeCompare(b.locationCode) || a.sku.localeCompare(b.sku),
  );
  if (list.length === 0) return [];
  const { rows } = await q.query<{ locationCode: string; sku: string; quantity: number }>(
    `select location_code as "locationCode", sku, quantity from stock_levels
      where client_id = $1 and (location_code, sku) in (select * from unnest($2::text[], $3::text[]))
      order by location_code, sku ${opts.lock ? 'for update' : ''}`,
    [clientId, list.map((r) => r.locationCode), list.map((r) => r.sku)],
  );
  const have = new Map(rows.map((r) => [`${r.locationCode}\u0000${r.sku}`, r.quantity]));
  return list
    .map((r) => ({ ...r, available: have.get(`${r.locationCode}\u0000${r.sku}`) ?? 0 }))
    .filter((r) => r.available < r.quantity);
}

/** Refuses (422 GW_INSUFFICIENT_STOCK, listing each shortfall) a removal the stock cannot cover. */
export async function assertStockAvailable(q: Queryable, clientId: string, removals: Removal[]): Promise<void> {
  const shortfalls = await findShortfalls(q, clientId, removals, { lock: true });
  if (shortfalls.length === 0) return;
  throw new GatewayError('GW_INSUFFICIENT_STOCK', 'Not enough stock for this movement', {
    details: {
      shortfalls: shortfalls.map((s) => ({
        location_code: s.locationCode,
        sku: s.sku,
        requested: s.quantity,
        available: s.available,
      })),
    },
  });
}

/** Whether the client records facts that take stock below zero (flagged) instead of refusing them. */
export function negativeStockAllowed(clientId: string): boolean {
  return clientModule(clientId)?.settings.allowNegativeStock ?? false;
}

/**
 * The check before a fact that takes stock out (a sale, an adjustment, a shipment) is recorded. The
 * ERP reports what already happened, so when the client allows negative stock nothing is refused:
 * the ledger records the movement and flags it `below_zero`, and the position shows up in
 * `stockLevels(filter: { belowZero: true })`. A client that forbids it gets 422 GW_INSUFFICIENT_STOCK.
 */
export async function checkFactRemovals(q: Queryable, clientId: string, removals: Removal[]): Promise<void> {
  if (negativeStockAllowed(clientId)) return;
  await assertStockAvailable(q, clientId, removals);
}
