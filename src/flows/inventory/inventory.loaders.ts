import DataLoader from 'dataloader';
import { Queryable } from '../../db/database';
import { inventoryLedgerRepository } from '../../domain/inventory-ledger.repository';
import { byKey, groupByKey } from '../../schema/loaders';
import {
  inventoryRepository,
  SnapshotDifferenceRow,
  SnapshotLineRow,
  SnapshotRow,
  StockLevelRow,
} from './inventory.repository';

export interface PositionKey {
  locationCode: string;
  sku: string;
}

const positionKey = (k: PositionKey) => `${k.locationCode}\u0000${k.sku}`;

/** Per-request loaders of the inventory flow (registered in src/schema/loaders.ts). */
export const inventoryLoaders = {
  /** Stock of a (location, sku); a position that never moved is 0. */
  stockLevel: (q: Queryable, c: string) =>
    new DataLoader<PositionKey, StockLevelRow, string>(
      async (keys) => {
        const found = byKey(keys.map(positionKey), await inventoryRepository.stockByKeys(q, c, keys), positionKey);
        return keys.map((k, i) => found[i] ?? { ...k, quantity: 0, updatedAt: null });
      },
      { cacheKeyFn: positionKey },
    ),
  /** Whether an adjustment took its position below zero. */
  adjustmentBelowZero: (q: Queryable, c: string) =>
    new DataLoader<string, boolean>(async (ids) => {
      const flagged = await inventoryLedgerRepository.belowZeroSources(q, c, 'inventory_adjustment', ids);
      return ids.map((id) => flagged.has(id));
    }),
  inventorySnapshot: (q: Queryable, c: string) =>
    new DataLoader<string, SnapshotRow | null>(async (ids) =>
      byKey(ids, await inventoryRepository.snapshotsByIds(q, c, ids), (r) => r.id),
    ),
  snapshotLines: (q: Queryable, c: string) =>
    new DataLoader<string, SnapshotLineRow[]>(async (ids) =>
      groupByKey(ids, await inventoryRepository.linesBySnapshotIds(q, c, ids), (r) => r.snapshotId),
    ),
  snapshotDifferences: (q: Queryable, c: string) =>
    new DataLoader<string, SnapshotDifferenceRow[]>(async (ids) =>
      groupByKey(ids, await inventoryRepository.differencesBySnapshotIds(q, c, ids), (r) => r.snapshotId),
    ),
};
