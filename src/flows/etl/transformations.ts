import { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error';
import { isoDate } from '../../shared/fields';
import type { EtlHooks } from './etl-hooks';

export interface Transformation<S extends z.ZodType> {
  params: S;
  run(hooks: EtlHooks, clientId: string, params: z.output<S>): Promise<Record<string, unknown>>;
}

const define = <S extends z.ZodType>(t: Transformation<S>) => t;

/** Every transformation a data_transformation run may ask for, by name. */
export const TRANSFORMATIONS = {
  rebuild_rfm: define({
    params: z.strictObject({ as_of: isoDate().optional() }),
    async run(hooks, clientId, params) {
      if (!hooks.rebuildRfm)
        throw new GatewayError('GW_ETL_UNAVAILABLE', 'rebuild_rfm needs the analytics service, which is not wired');
      const result = await hooks.rebuildRfm(clientId, params.as_of);
      return { rebuilt: true, as_of: params.as_of ?? null, result: result ?? null };
    },
  }),
} satisfies Record<string, Transformation<z.ZodType>>;

export type TransformationName = keyof typeof TRANSFORMATIONS;

export const TRANSFORMATION_NAMES = Object.keys(TRANSFORMATIONS) as [TransformationName, ...TransformationName[]];
