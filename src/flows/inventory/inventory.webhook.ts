import { z } from 'zod';
import { businessId, code, timestamp, token } from '../../shared/fields';
import { defineAction, defineFlow } from '../../webhooks/flow-definition';
import { quantityDelta } from './inventory.fields';

/** Banban's inventory-flow contract (test/fixtures/banban/inventory-flow), strict: unknown fields are errors. */
export const adjustStockSchema = z.strictObject({
  adjustment_id: businessId(),
  location_code: code(),
  sku: code(),
  quantity_delta: quantityDelta(),
  reason: token(),
  adjusted_at: timestamp(),
});

export const takeSnapshotSchema = z.strictObject({
  snapshot_id: businessId(),
  location_code: code().optional(),
  taken_at: timestamp(),
});

export const validateMovementSchema = z.strictObject({
  location_code: code(),
  sku: code(),
  quantity_delta: quantityDelta(),
});

export const inventoryFlow = defineFlow({
  key: 'inventory',
  path: 'inventory-flow',
  actions: {
    adjust_stock: defineAction({
      schema: adjustStockSchema,
      businessId: (d) => d.adjustment_id,
      operation: `mutation AdjustStock($input: AdjustStockInput!) {
        adjustStock(input: $input) {
          id locationCode sku quantityDelta reason adjustedAt belowZero stock { quantity } } }`,
      toVariables: (d) => ({
        input: {
          id: d.adjustment_id,
          locationCode: d.location_code,
          sku: d.sku,
          quantityDelta: d.quantity_delta,
          reason: d.reason,
          adjustedAt: d.adjusted_at,
        },
      }),
    }),
    take_snapshot: defineAction({
      schema: takeSnapshotSchema,
      businessId: (d) => d.snapshot_id,
      operation: `mutation TakeInventorySnapshot($input: TakeInventorySnapshotInput!) {
        takeInventorySnapshot(input: $input) { id locationCode takenAt lineCount totalQuantity } }`,
      toVariables: (d) => ({ input: { id: d.snapshot_id, locationCode: d.location_code, takenAt: d.taken_at } }),
    }),
    validate_movement: defineAction({
      schema: validateMovementSchema,
      businessId: () => null,
      readOnly: true,
      operation: `query ValidateMovement($input: ValidateMovementInput!) {
        validateMovement(input: $input) { valid available reason } }`,
      toVariables: (d) => ({ input: { locationCode: d.location_code, sku: d.sku, quantityDelta: d.quantity_delta } }),
    }),
  },
});
