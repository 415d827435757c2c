import { z } from 'zod';
import { isoDate } from '../../shared/fields';
import { defineAction, defineFlow } from '../../webhooks/flow-definition';
import { TRANSFORMATION_NAMES } from './transformations';

/** Banban's ETL contract (test/fixtures/banban/etl): both actions start a run and answer 202 with its id. */
export const dailyBatchSchema = z.strictObject({ business_date: isoDate() });

export const dataTransformationSchema = z.strictObject({
  transformation: z.enum(TRANSFORMATION_NAMES),
  params: z.record(z.string(), z.unknown()).default({}),
});

const RUN_RESULT = 'id kind status businessDate transformation createdAt';

export const etlFlow = defineFlow({
  key: 'etl',
  path: 'etl',
  actions: {
    daily_batch: defineAction({
      schema: dailyBatchSchema,
      businessId: (d) => `daily_batch:${d.business_date}`,
      acceptedStatus: 202,
      operation: `mutation RunDailyBatch($input: RunDailyBatchInput!) {
        runDailyBatch(input: $input) { ${RUN_RESULT} } }`,
      toVariables: (d) => ({ input: { businessDate: d.business_date } }),
    }),
    data_transformation: defineAction({
      schema: dataTransformationSchema,
      businessId: () => null,
      acceptedStatus: 202,
      operation: `mutation RunDataTransformation($input: RunDataTransformationInput!) {
        runDataTransformation(input: $input) { ${RUN_RESULT} } }`,
      toVariables: (d) => ({ input: { transformation: d.transformation, params: d.params } }),
    }),
  },
});
