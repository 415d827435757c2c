import { z } from 'zod';
import { Queryable } from '../../db/database';
import { inventoryLedgerRepository } from '../../domain/inventory-ledger.repository';
import { masterDataRepository } from '../../domain/master-data.repository';
import { checkFactRemovals, findShortfalls } from '../../domain/stock-guard';
import { existingOrConflict } from '../../domain/business-id';
import { businessId, code, parseOrThrow, token } from '../../shared/fields';
import { contentHash } from '../../shared/hash';
import { quantityDelta } from './inventory.fields';
import type { AdjustStockInput, TakeInventorySnapshotInput, ValidateMovementInput } from './inventory.input';
import { AdjustmentRow, inventoryRepository, SnapshotRow } from './inventory.repository';

const adjustmentInput = z.object({
  id: businessId(),
  locationCode: code(),
  sku: code(),
  quantityDelta: quantityDelta(),
  reason: token(),
  adjustedAt: z.date(),
});

const snapshotInput = z.object({ id: businessId(), locationCode: code().nullish(), takenAt: z.date() });

const movementInput = z.object({ locationCode: code(), sku: code(), quantityDelta: quantityDelta() });

export interface MovementValidation {
  valid: boolean;
  available: number;
  reason: string | null;
}

/**
 * Inventory: adjustments (facts: ledger movements with a reason, recorded even below zero when the
 * client allows it), snapshots, and the stock rule answered on request (a question: validateMovement).
 */
export class InventoryService {
  async adjustStock(q: Queryable, clientId: string, raw: AdjustStockInput): Promise<AdjustmentRow> {
    const input = parseOrThrow(adjustmentInput, raw, ['input']);
    const payloadHash = contentHash(input);
    await masterDataRepository.upsertLocations(q, clientId, [input.locationCode]);
    await masterDataRepository.upsertProducts(q, clientId, [{ sku: input.sku }]);
    const adjustment = await inventoryRepository.insertAdjustment(q, clientId, { ...input, payloadHash });
    if (!adjustment)
      return existingOrConflict(
        await inventoryRepository.findAdjustment(q, clientId, input.id),
        payloadHash,
        'adjustment',
        { adjustment_id: input.id },
      );
    // Damage, theft or a count: the ERP reports what happened; the ledger flags a position it takes below zero.
    if (adjustment.quantityDelta < 0) {
      const { locationCode, sku } = adjustment;
      await checkFactRemovals(q, clientId, [{ locationCode, sku, quantity: -adjustment.quantityDelta }]);
    }
    await inventoryLedgerRepository.record(q, clientId, [
      {
        locationCode: adjustment.locationCode,
        sku: adjustment.sku,
        delta: adjustment.quantityDelta,
        kind: 'adjustment',
        sourceType: 'inventory_adjustment',
        sourceId: adjustment.id,
        occurredAt: adjustment.adjustedAt,
      },
    ]);
    return adjustment;
  }

  async takeSnapshot(q: Queryable, clientId: string, raw: TakeInventorySnapshotInput): Promise<SnapshotRow> {
    const input = parseOrThrow(snapshotInput, raw, ['input']);
    const payloadHash = contentHash({ ...input, locationCode: input.locationCode ?? null });
    if (input.locationCode) await masterDataRepository.upsertLocations(q, clientId, [input.locationCode]);
    const snapshot = await inventoryRepository.insertSnapshot(q, clientId, {
      id: input.id,
      locationCode: input.locationCode ?? null,
      takenAt: input.takenAt,
      payloadHash,
    });
    if (!snapshot) {
      const [existing] = await inventoryRepository.snapshotsByIds(q, clientId, [input.id]);
      return existingOrConflict(existing ?? null, payloadHash, 'snapshot', { snapshot_id: input.id });
    }
    await inventoryRepository.freezeLines(q, clientId, snapshot);
    return snapshot;
  }

  /** Answers by the stock guard's rule (a movement may not take stock below zero); writes nothing. */
  async validateMovement(q: Queryable, clientId: string, raw: ValidateMovementInput): Promise<MovementValidation> {
    const input = parseOrThrow(movementInput, raw, ['input']);
    const available = await inventoryLedgerRepository.stockOf(q, clientId, input.locationCode, input.sku);
    if (input.quantityDelta > 0) return { valid: true, available, reason: null };
    const requested = -input.quantityDelta;
    const [shortfall] = await findShortfalls(q, clientId, [
      { locationCode: input.locationCode, sku: input.sku, quantity: requested },
    ]);
    if (!shortfall) return { valid: true, available, reason: null };
    return {
      valid: false,
      available: shortfall.available,
      reason:
        'would take stock below zero: ' +
        `${shortfall.available} available at ${input.locationCode}, ${requested} requested`,
    };
  }
}
