import type { Queryable } from '../../db/database';
import type { CanonicalReturn } from './canonical';

/**
 * Services from other modules that the ETL uses (returns, RFM, inventory snapshots), wired in
 * etl.wiring.ts. An absent hook is reported on the run, never faked.
 */
export interface EtlHooks {
  /** The returns flow's registerReturn; answers whether the return was new or already there (same content). */
  registerReturn?(q: Queryable, clientId: string, input: CanonicalReturn): Promise<'created' | 'existing'>;
  /** Returns stored in the window, for the `extra` side of reconciliation. */
  returnIdsBetween?(q: Queryable, clientId: string, from: Date, to: Date): Promise<string[]>;
  rebuildRfm?(clientId: string, asOf?: string): Promise<unknown>;
  /** The end-of-day inventory snapshot (inventory flow's takeSnapshot), idempotent by its id. */
  takeInventorySnapshot?(q: Queryable, clientId: string, input: { id: string; takenAt: Date }): Promise<unknown>;
}
