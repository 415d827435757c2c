import { z } from 'zod';
import { businessId, code, isoDate, money, quantity, text, timestamp } from '../../shared/fields';
import { defineAction, defineFlow } from '../../webhooks/flow-definition';
import { accessKey, checkDistinctSkus, checkKeyMatchesDocument, nfeNumber, nfeSeries } from './purchase.fields';

/** Banban's purchase-flow contract (test/fixtures/banban/purchase-flow), strict: unknown fields are errors. */
export const createOrderSchema = z.strictObject({
  order_id: businessId(),
  supplier: z.strictObject({
    supplier_id: businessId(),
    name: text(200).optional(),
    document: z
      .string()
      .regex(/^\d{11}$|^\d{14}$/, 'CPF (11 digits) or CNPJ (14 digits)')
      .optional(),
  }),
  destination_code: code(),
  expected_at: isoDate().optional(),
  created_at: timestamp(),
  items: z
    .array(z.strictObject({ sku: code(), description: text(200).optional(), quantity: quantity(), unit_cost: money() }))
    .min(1)
    .max(500)
    .superRefine(checkDistinctSkus),
});

export const receiveDocumentSchema = z.strictObject({
  order_id: businessId(),
  document: z
    .strictObject({ number: nfeNumber(), series: nfeSeries(), access_key: accessKey(), issued_at: timestamp() })
    .superRefine((d, ctx) => checkKeyMatchesDocument({ ...d, accessKey: d.access_key }, ctx, 'access_key')),
  received_at: timestamp(),
  items: z
    .array(z.strictObject({ sku: code(), quantity: quantity() }))
    .min(1)
    .max(500)
    .superRefine(checkDistinctSkus),
});

export const confirmStockSchema = z.strictObject({
  order_id: businessId(),
  document_number: nfeNumber(),
  confirmed_at: timestamp(),
});

const ORDER_RESULT = 'id status supplierId destinationCode expectedAt orderedAt';
const DIVERGENCES = 'divergences { sku ordered received difference kind }';

export const purchaseFlow = defineFlow({
  key: 'purchase',
  path: 'purchase-flow',
  actions: {
    create_order: defineAction({
      schema: createOrderSchema,
      businessId: (d) => d.order_id,
      operation: `mutation CreatePurchaseOrder($input: CreatePurchaseOrderInput!) {
        createPurchaseOrder(input: $input) { ${ORDER_RESULT} items { sku quantity unitCost } } }`,
      toVariables: (d) => ({
        input: {
          id: d.order_id,
          supplier: { id: d.supplier.supplier_id, name: d.supplier.name, document: d.supplier.document },
          destinationCode: d.destination_code,
          expectedAt: d.expected_at,
          orderedAt: d.created_at,
          items: d.items.map((i) => ({
            sku: i.sku,
            description: i.description,
            quantity: i.quantity,
            unitCost: i.unit_cost,
          })),
        },
      }),
    }),
    receive_document: defineAction({
      schema: receiveDocumentSchema,
      businessId: (d) => `document:${d.order_id}:${d.document.number}`,
      operation: `mutation ReceivePurchaseDocument($input: ReceivePurchaseDocumentInput!) {
        receivePurchaseDocument(input: $input) {
          orderId number series accessKey issuedAt receivedAt items { sku quantity }
          order { id status ${DIVERGENCES} } } }`,
      toVariables: (d) => ({
        input: {
          orderId: d.order_id,
          document: {
            number: d.document.number,
            series: d.document.series,
            accessKey: d.document.access_key,
            issuedAt: d.document.issued_at,
          },
          receivedAt: d.received_at,
          items: d.items,
        },
      }),
    }),
    confirm_stock: defineAction({
      schema: confirmStockSchema,
      businessId: (d) => `confirm:${d.order_id}`,
      operation: `mutation ConfirmPurchaseStock($input: ConfirmPurchaseStockInput!) {
        confirmPurchaseStock(input: $input) { ${ORDER_RESULT} confirmedAt confirmedDocumentNumber ${DIVERGENCES} } }`,
      toVariables: (d) => ({
        input: { orderId: d.order_id, documentNumber: d.document_number, confirmedAt: d.confirmed_at },
      }),
    }),
  },
});
