import { z } from 'zod';
import { businessId, code, quantity, text, timestamp } from '../../shared/fields';
import { defineAction, defineFlow } from '../../webhooks/flow-definition';
import { distinctSkus, receivedQuantity } from './transfer.fields';

/** Banban's transfer-flow contract (test/fixtures/banban/transfer-flow), strict: unknown fields are errors. */
export const createTransferSchema = z.strictObject({
  transfer_id: businessId(),
  origin_code: code(),
  destination_code: code(),
  created_at: timestamp(),
  items: z
    .array(z.strictObject({ sku: code(), quantity: quantity() }))
    .min(1)
    .max(500)
    .superRefine(distinctSkus),
});

export const shipProductsSchema = z.strictObject({
  transfer_id: businessId(),
  shipped_at: timestamp(),
  carrier: text(120),
  tracking_code: text(64),
});

export const receiveAtStoreSchema = z.strictObject({
  transfer_id: businessId(),
  received_at: timestamp(),
  items: z
    .array(z.strictObject({ sku: code(), quantity: receivedQuantity() }))
    .max(500)
    .superRefine(distinctSkus),
});

const TRANSFER_RESULT = 'id status originCode destinationCode createdAt shippedAt receivedAt carrier trackingCode';

export const transferFlow = defineFlow({
  key: 'transfer',
  path: 'transfer-flow',
  actions: {
    create_transfer: defineAction({
      schema: createTransferSchema,
      businessId: (d) => d.transfer_id,
      operation: `mutation CreateTransfer($input: CreateTransferInput!) {
        createTransfer(input: $input) { ${TRANSFER_RESULT} items { sku quantitySent } } }`,
      toVariables: (d) => ({
        input: {
          id: d.transfer_id,
          originCode: d.origin_code,
          destinationCode: d.destination_code,
          createdAt: d.created_at,
          items: d.items,
        },
      }),
    }),
    ship_products: defineAction({
      schema: shipProductsSchema,
      businessId: (d) => `ship:${d.transfer_id}`,
      operation: `mutation ShipTransfer($input: ShipTransferInput!) {
        shipTransfer(input: $input) { ${TRANSFER_RESULT} } }`,
      toVariables: (d) => ({
        input: {
          transferId: d.transfer_id,
          shippedAt: d.shipped_at,
          carrier: d.carrier,
          trackingCode: d.tracking_code,
        },
      }),
    }),
    receive_at_store: defineAction({
      schema: receiveAtStoreSchema,
      businessId: (d) => `receive:${d.transfer_id}`,
      operation: `mutation ReceiveTransfer($input: ReceiveTransferInput!) {
        receiveTransfer(input: $input) {
          ${TRANSFER_RESULT} divergences { sku quantitySent quantityReceived divergence } } }`,
      toVariables: (d) => ({ input: { transferId: d.transfer_id, receivedAt: d.received_at, items: d.items } }),
    }),
  },
});
