import type { Config } from '../../config';
import type { Database } from '../../db/database';
import { asConnectorPolicy } from '../../resilience/policy-registry';
import type { Services } from '../../services';
import { EtlJobs } from './etl.jobs';

/**
 * Connects the ETL to the other modules: returns go through the returns flow's own
 * service, RFM through the analytics service, the end-of-day snapshot through the inventory flow,
 * the source connectors through the client's resilience policy, and runs and schedules onto the queue.
 */
export function wireEtl(services: Services, db: Database, config: Config): void {
  const jobs = new EtlJobs(db, config, services.etl);
  services.etl.dispatcher = jobs;
  services.queue.extend({ start: (boss, opts) => jobs.attach(boss, opts) });
  services.etl.connectorPolicy = (clientId) =>
    asConnectorPolicy(services.policies.forConnector(clientId, 'etl-source'));
  services.etl.useHooks({
    // The snapshot of the date, then the current scores, which the documents just loaded may have moved.
    rebuildRfm: async (clientId, asOf) => {
      const run = await services.rfm.rebuildRfm(clientId, asOf);
      await services.rfm.rescoreClient(clientId);
      return run;
    },
    registerReturn: async (q, clientId, input) => {
      const { rows } = await q.query('select 1 from returns where client_id = $1 and id = $2', [clientId, input.id]);
      await services.returns.registerReturn(q, clientId, {
        ...input,
        items: input.items.map((i) => ({ sku: i.sku, quantity: i.quantity, reason: i.reason ?? 'unspecified' })),
      });
      return rows.length ? 'existing' : 'created';
    },
    returnIdsBetween: async (q, clientId, from, to) =>
      (
        await q.query<{ id: string }>(
          'select id from returns where client_id = $1 and returned_at >= $2 and returned_at < $3',
          [clientId, from, to],
        )
      ).rows.map((r) => r.id),
    takeInventorySnapshot: (q, clientId, input) =>
      services.inventory.takeSnapshot(q, clientId, { id: input.id, takenAt: input.takenAt }),
  });
}
