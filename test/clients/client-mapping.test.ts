import { canonicalSchemas, clientActions, defineClientFlow, identityTransformers } from '../../src/clients/client-flow';
import { defineClient } from '../../src/clients/client-module';
import { CLIENTS } from '../../src/clients/registry';
import { GatewayError } from '../../src/errors/gateway-error';
import { registerSaleSchema } from '../../src/flows/sales/sale.webhook';
import { businessId } from '../../src/shared/fields';
import { fixture } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

/** A client whose ERP calls the sale id `numero_venda` and who refuses marketplace sales of its own accord. */
const canonical = canonicalSchemas('sales');
const schemas = {
  ...canonical,
  register_sale: registerSaleSchema.omit({ sale_id: true }).extend({ numero_venda: businessId() }),
};
const lojas = defineClient({
  id: 'lojas-x',
  name: 'Lojas X',
  timezone: 'America/Sao_Paulo',
  flows: ['sales'],
  settings: { allowNegativeStock: true },
  mappings: {
    sales: defineClientFlow('sales', {
      actions: clientActions('sales', schemas, {
        ...identityTransformers('sales'),
        register_sale: ({ numero_venda, ...rest }) => ({ sale_id: numero_venda, ...rest }),
      }),
      checks: [
        (action, data) => {
          if (action === 'register_sale' && (data as { channel: string }).channel === 'marketplace')
            throw new GatewayError('GW_BUSINESS_RULE', 'Lojas X does not take marketplace sales here');
        },
      ],
    }),
  },
});

let t: TestApp;
let key: string;
beforeAll(async () => {
  CLIENTS[lojas.id] = lojas;
  t = await startTestApp();
  key = (await t.services.apiKeys.issue({ clientId: lojas.id, name: 'test' })).key;
});
afterAll(async () => {
  await t.close();
  delete CLIENTS[lojas.id];
});

const { sale_id: _saleId, ...rest } = fixture('sales-flow', 'register_sale').data;
const lojasSale = (patch: Record<string, unknown> = {}) => ({
  action: 'register_sale',
  data: { numero_venda: 'LX-1', ...rest, ...patch },
});

describe("a client's own payload mapping, applied by the pipeline", () => {
  it("accepts the client's shape, transforms it to the canonical one and stores it under the client", async () => {
    const res = await postWebhook(t, 'sales-flow', lojasSale(), { 'x-api-key': key });
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ id: 'LX-1', total: '309.70', storeCode: 'LJ-001' });
    const { rows } = await t.db.query(`select client_id from sales where id = 'LX-1'`);
    expect(rows).toEqual([{ client_id: 'lojas-x' }]);
  });

  it('holds the client to its own contract: the canonical field name is unknown there', async () => {
    const res = await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'), { 'x-api-key': key });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('GW_VALIDATION_FAILED');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['data', 'data.numero_venda']),
    );
  });

  it("runs the client's checks on the canonical payload", async () => {
    const res = await postWebhook(t, 'sales-flow', lojasSale({ numero_venda: 'LX-2', channel: 'marketplace' }), {
      'x-api-key': key,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('GW_BUSINESS_RULE');
  });

  it('leaves other clients on the canonical contract', async () => {
    expect((await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'))).status).toBe(200);
  });
});
