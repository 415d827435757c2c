import DataLoader from 'dataloader';
import { Queryable } from '../db/database';
import { CustomerRow, LocationRow, masterDataRepository, ProductRow } from '../domain/master-data.repository';
import { inventoryLoaders } from '../flows/inventory/inventory.loaders';
import { purchaseLoaders } from '../flows/purchase/purchase.loaders';
import { PaymentRow, SaleItemRow, SaleRow, saleRepository } from '../flows/sales/sale.repository';
import {
  TransferEventRow,
  TransferItemRow,
  transferRepository,
  TransferRow,
} from '../flows/transfer/transfer.repository';
import { RefundRow, ReturnItemRow, returnRepository, ReturnRow } from '../flows/returns/return.repository';

/** One row per key (or null), in key order. */
export function byKey<K, R>(keys: readonly K[], rows: R[], keyOf: (r: R) => K): Array<R | null> {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

/** All rows per key, in key order. */
export function groupByKey<K, R>(keys: readonly K[], rows: R[], keyOf: (r: R) => K): R[][] {
  const map = new Map<K, R[]>();
  for (const r of rows) {
    const list = map.get(keyOf(r));
    if (list) list.push(r);
    else map.set(keyOf(r), [r]);
  }
  return keys.map((k) => map.get(k) ?? []);
}

/** Values a loader has already settled, per (per-request) loader: see `preload` and `loadedOrLoad`. */
const settled = new WeakMap<object, Map<unknown, unknown>>();

function settledBy(loader: object): Map<unknown, unknown> {
  let known = settled.get(loader);
  if (!known) settled.set(loader, (known = new Map()));
  return known;
}

/** The batch function behind each loader made by `batchLoader`, so `preload` can call it directly. */
const batchFunctions = new WeakMap<object, (keys: readonly unknown[]) => Promise<ArrayLike<unknown>>>();

/** A DataLoader whose batch function `preload` may call without going through the loader. */
export function batchLoader<K, V>(batch: (keys: readonly K[]) => Promise<ArrayLike<V | Error>>): DataLoader<K, V> {
  const loader = new DataLoader<K, V>(batch);
  batchFunctions.set(loader, batch as (keys: readonly unknown[]) => Promise<ArrayLike<unknown>>);
  return loader;
}

/**
 * Loads `keys` now, in one batch, so that `loadedOrLoad` then answers them without a promise: a
 * connection resolver that knows its nodes' lists are selected preloads them, and the executor
 * completes those lists synchronously (no promise per node and field). Same query as letting the
 * field resolvers batch; with a `batchLoader` it is called directly, without a promise and a cache
 * entry per key.
 */
export async function preload<K, V>(loader: DataLoader<K, V>, keys: readonly K[]): Promise<void> {
  const batch = batchFunctions.get(loader);
  const values = batch ? await batch(keys) : await loader.loadMany(keys);
  const known = settledBy(loader);
  for (let i = 0; i < keys.length; i++) if (!(values[i] instanceof Error)) known.set(keys[i], values[i]);
}

/** Makes `loadedOrLoad(loader, key)` answer `value` (a row this request already read), without a promise. */
export function remember<K, V>(loader: DataLoader<K, V>, key: K, value: V): void {
  settledBy(loader).set(key, value);
}

/** The preloaded or remembered value for `key`, else `loader.load(key)`. */
export function loadedOrLoad<K, V>(loader: DataLoader<K, V>, key: K): V | Promise<V> {
  const known = settled.get(loader);
  return known?.has(key) ? (known.get(key) as V) : loader.load(key);
}

type LoaderFactory<T> = (q: Queryable, clientId: string) => T;

/**
 * Per-request DataLoaders, created on first use and always scoped to the caller's client.
 * Flows add their loaders to `loaderFactories`.
 */
export const loaderFactories = {
  sale: ((q, c) =>
    new DataLoader<string, SaleRow | null>(async (ids) =>
      byKey(ids, await saleRepository.byIds(q, c, ids), (r) => r.id),
    )) as LoaderFactory<DataLoader<string, SaleRow | null>>,
  saleItems: ((q, c) =>
    batchLoader<string, SaleItemRow[]>(async (ids) =>
      groupByKey(ids, await saleRepository.itemsBySaleIds(q, c, ids), (r) => r.saleId),
    )) as LoaderFactory<DataLoader<string, SaleItemRow[]>>,
  salePayments: ((q, c) =>
    batchLoader<string, PaymentRow[]>(async (ids) =>
      groupByKey(ids, await saleRepository.paymentsBySaleIds(q, c, ids), (r) => r.saleId),
    )) as LoaderFactory<DataLoader<string, PaymentRow[]>>,
  customer: ((q, c) =>
    new DataLoader<string, CustomerRow | null>(async (ids) =>
      byKey(ids, await masterDataRepository.customersByIds(q, c, ids), (r) => r.id),
    )) as LoaderFactory<DataLoader<string, CustomerRow | null>>,
  location: ((q, c) =>
    new DataLoader<string, LocationRow | null>(async (codes) =>
      byKey(codes, await masterDataRepository.locationsByCodes(q, c, codes), (r) => r.code),
    )) as LoaderFactory<DataLoader<string, LocationRow | null>>,
  product: ((q, c) =>
    new DataLoader<string, ProductRow | null>(async (skus) =>
      byKey(skus, await masterDataRepository.productsBySkus(q, c, skus), (r) => r.sku),
    )) as LoaderFactory<DataLoader<string, ProductRow | null>>,
  ...purchaseLoaders,
  ...inventoryLoaders,
  transfer: ((q, c) =>
    new DataLoader<string, TransferRow | null>(async (ids) =>
      byKey(ids, await transferRepository.byIds(q, c, ids), (r) => r.id),
    )) as LoaderFactory<DataLoader<string, TransferRow | null>>,
  transferItems: ((q, c) =>
    new DataLoader<string, TransferItemRow[]>(async (ids) =>
      groupByKey(ids, await transferRepository.itemsByTransferIds(q, c, ids), (r) => r.transferId),
    )) as LoaderFactory<DataLoader<string, TransferItemRow[]>>,
  transferHistory: ((q, c) =>
    new DataLoader<string, TransferEventRow[]>(async (ids) =>
      groupByKey(ids, await transferRepository.eventsByTransferIds(q, c, ids), (r) => r.transferId),
    )) as LoaderFactory<DataLoader<string, TransferEventRow[]>>,
  return: ((q, c) =>
    new DataLoader<string, ReturnRow | null>(async (ids) =>
      byKey(ids, await returnRepository.byIds(q, c, ids), (r) => r.id),
    )) as LoaderFactory<DataLoader<string, ReturnRow | null>>,
  saleReturns: ((q, c) =>
    new DataLoader<string, ReturnRow[]>(async (ids) =>
      groupByKey(ids, await returnRepository.bySaleIds(q, c, ids), (r) => r.saleId),
    )) as LoaderFactory<DataLoader<string, ReturnRow[]>>,
  returnItems: ((q, c) =>
    new DataLoader<string, ReturnItemRow[]>(async (ids) =>
      groupByKey(ids, await returnRepository.itemsByReturnIds(q, c, ids), (r) => r.returnId),
    )) as LoaderFactory<DataLoader<string, ReturnItemRow[]>>,
  returnRefunds: ((q, c) =>
    new DataLoader<string, RefundRow[]>(async (ids) =>
      groupByKey(ids, await returnRepository.refundsByReturnIds(q, c, ids), (r) => r.returnId),
    )) as LoaderFactory<DataLoader<string, RefundRow[]>>,
};

export type Loaders = { [K in keyof typeof loaderFactories]: ReturnType<(typeof loaderFactories)[K]> };

export function createLoaders(q: Queryable, clientId: () => string): Loaders {
  return new LoaderSet(q, clientId) as unknown as Loaders;
}

/**
 * One getter per factory on the prototype, each making its loader on first use. (A Proxy did the
 * same with a trap per access, and a page of sales reads `ctx.loaders` a few hundred times.)
 */
class LoaderSet {
  readonly #made = new Map<string, unknown>();
  readonly #q: Queryable;
  readonly #clientId: () => string;

  constructor(q: Queryable, clientId: () => string) {
    this.#q = q;
    this.#clientId = clientId;
  }

  static {
    for (const name of Object.keys(loaderFactories) as Array<keyof Loaders>) {
      Object.defineProperty(this.prototype, name, {
        get(this: LoaderSet) {
          let loader = this.#made.get(name);
          if (loader === undefined) this.#made.set(name, (loader = loaderFactories[name](this.#q, this.#clientId())));
          return loader;
        },
      });
    }
  }
}
