import { z } from 'zod';
import { businessId, code, money, quantity, timestamp, token } from '../../shared/fields';
import { defineAction, defineFlow } from '../../webhooks/flow-definition';

/** Banban's returns-flow contract (test/fixtures/banban/returns-flow), strict: unknown fields are errors. */
export const registerReturnSchema = z.strictObject({
  return_id: businessId(),
  sale_id: businessId(),
  store_code: code(),
  returned_at: timestamp(),
  items: z
    .array(z.strictObject({ sku: code(), quantity: quantity(), reason: token().optional() }))
    .min(1)
    .max(500),
});

export const processRefundSchema = z.strictObject({
  return_id: businessId(),
  refund_id: businessId(),
  method: token(),
  amount: money(),
  refunded_at: timestamp(),
});

const RETURN_RESULT = 'id saleId storeCode returnedAt value refundedAmount refundableAmount';

export const returnsFlow = defineFlow({
  key: 'returns',
  path: 'returns-flow',
  actions: {
    register_return: defineAction({
      schema: registerReturnSchema,
      businessId: (d) => d.return_id,
      operation: `mutation RegisterReturn($input: RegisterReturnInput!) {
        registerReturn(input: $input) {
          ${RETURN_RESULT} items { sku quantity reason value } sale { id status total netTotal } } }`,
      toVariables: (d) => ({
        input: {
          id: d.return_id,
          saleId: d.sale_id,
          storeCode: d.store_code,
          returnedAt: d.returned_at,
          items: d.items,
        },
      }),
    }),
    process_refund: defineAction({
      schema: processRefundSchema,
      businessId: (d) => d.refund_id,
      operation: `mutation ProcessRefund($input: ProcessRefundInput!) {
        processRefund(input: $input) { id returnId method amount refundedAt return { ${RETURN_RESULT} } } }`,
      toVariables: (d) => ({
        input: {
          id: d.refund_id,
          returnId: d.return_id,
          method: d.method,
          amount: d.amount,
          refundedAt: d.refunded_at,
        },
      }),
    }),
  },
});
