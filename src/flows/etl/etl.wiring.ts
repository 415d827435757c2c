import type { Services } from '../../services';

/**
 * Connects the ETL to the other modules of this build: returns go through the returns flow's own
 * service, RFM through the analytics service, the end-of-day snapshot through the inventory flow,
 * and the source connectors through the client's resilience policy.
 */
export function wireEtl(services: Services): void {
  services.etl.connectorPolicy = (clientId) => {
    const policy = services.policies.forConnector(clientId, 'etl-source');
    return { execute: (fn) => policy.execute(async (signal) => fn({ signal })) };
  };
  services.etl.useHooks({
    rebuildRfm: (clientId, asOf) => services.rfm.rebuildRfm(clientId, asOf),
    registerReturn: async (q, clientId, input) => {
      const { rows } = await q.query('select 1 from returns where client_id = $1 and id = $2', [clientId, input.id]);
      await services.returns.registerReturn(q, clientId, {
        ...input,
        items: input.items.map((i) => ({ sku: i.sku, quantity: i.quantity, reason: i.reason ?? 'unspecified' })),
      });
      return rows.length ? 'existing' : 'created';
    },
    returnIdsBetween: async (q, clientId, from, to) =>
      (await q.query<{ id: string }>('select id from returns where client_id = $1 and returned_at >= $2 and returned_at < $3', [clientId, from, to])).rows.map((r) => r.id),
    takeInventorySnapshot: (q, clientId, input) => services.inventory.takeSnapshot(q, clientId, { id: input.id, takenAt: input.takenAt }),
  });
}
