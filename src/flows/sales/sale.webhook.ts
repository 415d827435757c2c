import { z } from 'zod';
import { businessId, code, money, positiveMoney, quantity, text, timestamp, token } from '../../shared/fields';
import { defineAction, defineFlow } from '../../webhooks/flow-definition';

/** Banban's sales-flow contract (test/fixtures/banban/sales-flow), strict: unknown fields are errors. */
const saleItem = z.strictObject({
  sku: code(),
  description: text(200).optional(),
  quantity: quantity(),
  unit_price: money(),
  discount: money().default('0.00'),
});

export const registerSaleSchema = z.strictObject({
  sale_id: businessId(),
  store_code: code(),
  channel: token(),
  sold_at: timestamp(),
  customer: z
    .strictObject({
      customer_id: businessId(),
      name: text(200).optional(),
      email: z.email().max(254).optional(),
      document: z
        .string()
        .regex(/^\d{11}$|^\d{14}$/, 'CPF (11 digits) or CNPJ (14 digits)')
        .optional(),
    })
    .optional(),
  items: z.array(saleItem).min(1).max(500),
  total: money(),
});

export const registerPaymentSchema = z.strictObject({
  sale_id: businessId(),
  payment_id: businessId(),
  method: token(),
  amount: positiveMoney(),
  installments: z.number().int().min(1).max(48).default(1),
  paid_at: timestamp(),
});

export const registerCancellationSchema = z.strictObject({
  sale_id: businessId(),
  reason: text(200),
  cancelled_at: timestamp(),
});

const SALE_RESULT = 'id status total paidAmount soldAt storeCode';

export const salesFlow = defineFlow({
  key: 'sales',
  path: 'sales-flow',
  actions: {
    register_sale: defineAction({
      schema: registerSaleSchema,
      businessId: (d) => d.sale_id,
      entity: (d) => `sale:${d.sale_id}`,
      // One lane for the client's sales: a group's stock moves are one statement locking rows in sorted
      // order, so wide groups cannot deadlock, and sales spread over many stores still group under load.
      lane: () => 'stock',
      operation: `mutation RegisterSale($input: RegisterSaleInput!) { registerSale(input: $input) { ${SALE_RESULT} } }`,
      toVariables: (d) => ({
        input: {
          id: d.sale_id,
          storeCode: d.store_code,
          channel: d.channel,
          soldAt: d.sold_at,
          customer: d.customer && {
            id: d.customer.customer_id,
            name: d.customer.name,
            email: d.customer.email,
            document: d.customer.document,
          },
          items: d.items.map((i) => ({
            sku: i.sku,
            description: i.description,
            quantity: i.quantity,
            unitPrice: i.unit_price,
            discount: i.discount,
          })),
          total: d.total,
        },
      }),
    }),
    register_payment: defineAction({
      schema: registerPaymentSchema,
      businessId: (d) => d.payment_id,
      entity: (d) => `sale:${d.sale_id}`,
      operation: `mutation RegisterPayment($input: RegisterPaymentInput!) {
        registerPayment(input: $input) { id saleId method amount installments paidAt sale { ${SALE_RESULT} } } }`,
      toVariables: (d) => ({
        input: {
          id: d.payment_id,
          saleId: d.sale_id,
          method: d.method,
          amount: d.amount,
          installments: d.installments,
          paidAt: d.paid_at,
        },
      }),
    }),
    register_cancellation: defineAction({
      schema: registerCancellationSchema,
      businessId: (d) => `cancellation:${d.sale_id}`,
      entity: (d) => `sale:${d.sale_id}`,
      operation: `mutation RegisterCancellation($input: RegisterCancellationInput!) {
        registerCancellation(input: $input) { ${SALE_RESULT} cancelledAt cancellationReason } }`,
      toVariables: (d) => ({ input: { saleId: d.sale_id, reason: d.reason, cancelledAt: d.cancelled_at } }),
    }),
  },
});
