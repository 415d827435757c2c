import DataLoader from 'dataloader';
import { Queryable } from '../../db/database';
import { SupplierRow, supplierRepository } from '../../domain/supplier.repository';
import { byKey, groupByKey } from '../../schema/loaders';
import {
  PurchaseDivergenceRow,
  PurchaseDocumentItemRow,
  PurchaseDocumentRow,
  PurchaseOrderItemRow,
  PurchaseOrderRow,
  purchaseRepository,
} from './purchase.repository';

/** A document is addressed by its order and number. */
export interface DocumentKey {
  orderId: string;
  number: string;
}

const documentKey = (k: DocumentKey) => `${k.orderId}\u0000${k.number}`;

/** Per-request loaders of the purchase flow (registered in src/schema/loaders.ts). */
export const purchaseLoaders = {
  supplier: (q: Queryable, c: string) =>
    new DataLoader<string, SupplierRow | null>(async (ids) =>
      byKey(ids, await supplierRepository.byIds(q, c, ids), (r) => r.id),
    ),
  purchaseOrder: (q: Queryable, c: string) =>
    new DataLoader<string, PurchaseOrderRow | null>(async (ids) =>
      byKey(ids, await purchaseRepository.ordersByIds(q, c, ids), (r) => r.id),
    ),
  purchaseOrderItems: (q: Queryable, c: string) =>
    new DataLoader<string, PurchaseOrderItemRow[]>(async (ids) =>
      groupByKey(ids, await purchaseRepository.itemsByOrderIds(q, c, ids), (r) => r.orderId),
    ),
  purchaseDocuments: (q: Queryable, c: string) =>
    new DataLoader<string, PurchaseDocumentRow[]>(async (ids) =>
      groupByKey(ids, await purchaseRepository.documentsByOrderIds(q, c, ids), (r) => r.orderId),
    ),
  purchaseDocumentItems: (q: Queryable, c: string) =>
    new DataLoader<DocumentKey, PurchaseDocumentItemRow[], string>(
      async (keys) =>
        groupByKey(keys.map(documentKey), await purchaseRepository.documentItemsByKeys(q, c, keys), (r) =>
          documentKey({ orderId: r.orderId, number: r.documentNumber }),
        ),
      { cacheKeyFn: documentKey },
    ),
  purchaseDivergences: (q: Queryable, c: string) =>
    new DataLoader<string, PurchaseDivergenceRow[]>(async (ids) =>
      groupByKey(ids, await purchaseRepository.divergencesByOrderIds(q, c, ids), (r) => r.orderId),
    ),
};
