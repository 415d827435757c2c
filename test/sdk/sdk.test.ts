import {
  createHubClient,
  CustomerDocument,
  HubClient,
  HubClientError,
  RegisterPaymentDocument,
  RegisterSaleDocument,
  SaleDocument,
  SalesDocument,
  WebhookEventsDocument,
  WebhookProcessedDocument,
} from '../../sdk';
import { variant } from '../support/fixtures';
import { fixture } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
let url: string;
let hub: HubClient;

beforeAll(async () => {
  t = await startTestApp();
  url = `${await t.app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
  hub = createHubClient({ url, apiKey: t.apiKey });
  expect((await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'))).status).toBe(200);
});
afterAll(async () => {
  await hub.dispose();
  await t.close();
});

describe('the typed SDK against the running hub', () => {
  it('reads a sale with its store, customer, items and payments', async () => {
    const { sale } = await hub.request(SaleDocument, { id: 'V-2026-000123' });
    expect(sale).toMatchObject({
      id: 'V-2026-000123',
      status: 'OPEN',
      total: '309.70',
      soldAt: '2026-11-28T17:32:10.000Z',
      store: { code: 'LJ-001', kind: 'STORE' },
      customer: { id: 'C-000077', name: 'Maria Souza' },
      payments: [],
    });
    expect(sale?.items.map((i) => [i.sku, i.quantity, i.lineTotal])).toEqual([
      ['TENIS-RUN-38-PRETO', 1, '269.90'],
      ['MEIA-ESP-UN', 2, '39.80'],
    ]);
  });

  it('runs the mutations the app uses, with typed inputs', async () => {
    const { registerSale } = await hub.request(RegisterSaleDocument, {
      input: {
        id: 'SDK-1',
        storeCode: 'LJ-002',
        channel: 'app',
        soldAt: '2026-11-29T10:00:00Z',
        items: [{ sku: 'BONE-AZUL', quantity: 2, unitPrice: '49.95', discount: '0.00' }],
        total: '99.90',
      },
    });
    expect(registerSale).toEqual({
      id: 'SDK-1',
      status: 'OPEN',
      total: '99.90',
      paidAmount: '0.00',
      soldAt: '2026-11-29T10:00:00.000Z',
      storeCode: 'LJ-002',
    });
    const { registerPayment } = await hub.request(RegisterPaymentDocument, {
      input: { id: 'SDK-P1', saleId: 'SDK-1', method: 'pix', amount: '99.90', paidAt: '2026-11-29T10:01:00Z' },
    });
    expect(registerPayment.sale).toEqual({ id: 'SDK-1', status: 'PAID', paidAmount: '99.90' });
  });

  it("pages through sales and a customer's sales", async () => {
    const first = await hub.request(SalesDocument, { first: 1 });
    expect(first.sales.edges.map((e) => e.node.id)).toEqual(['SDK-1']);
    expect(first.sales.pageInfo.hasNextPage).toBe(true);
    const next = await hub.request(SalesDocument, { first: 1, after: first.sales.pageInfo.endCursor });
    expect(next.sales.edges.map((e) => e.node.id)).toEqual(['V-2026-000123']);
    const { customer } = await hub.request(CustomerDocument, { id: 'C-000077' });
    expect(customer?.sales.edges.map((e) => e.node.total)).toEqual(['309.70']);
  });

  it('reads the audit trail', async () => {
    const { webhookEvents } = await hub.request(WebhookEventsDocument, { filter: { flow: 'sales' } });
    expect(webhookEvents.edges.map((e) => [e.node.action, e.node.status, e.node.httpStatus])).toEqual([
      ['register_sale', 'PROCESSED', 200],
    ]);
  });

  it('raises HubClientError with the gateway code on refusals', async () => {
    const anonymous = createHubClient({ url });
    const refused = await anonymous.request(SaleDocument, { id: 'V-2026-000123' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HubClientError);
    expect((refused as HubClientError).code).toBe('GW_UNAUTHENTICATED');
    const invalid = await hub
      .request(RegisterSaleDocument, {
        input: {
          id: 'SDK-2',
          storeCode: 'LJ-002',
          channel: 'app',
          soldAt: '2026-11-29T10:00:00Z',
          items: [{ sku: 'X', quantity: 1, unitPrice: '1.00', discount: '0.00' }],
          total: '2.00',
        },
      })
      .catch((e: unknown) => e);
    expect((invalid as HubClientError).code).toBe('GW_SALE_TOTAL_MISMATCH');
  });

  it('sends a token as a Bearer authorization header and an API key as x-api-key', async () => {
    const sent: Headers[] = [];
    const recording: typeof fetch = (input, init) => {
      sent.push(new Headers(init?.headers));
      return fetch(input, init);
    };
    // Whether the hub accepts this token is the auth layer's business; here only what the SDK sends matters.
    await createHubClient({ url, apiKey: t.apiKey, token: 'jwt.example.token', fetch: recording })
      .request(SaleDocument, { id: 'V-2026-000123' })
      .catch(() => undefined);
    expect(sent[0].get('authorization')).toBe('Bearer jwt.example.token');
    expect(sent[0].get('x-api-key')).toBe(t.apiKey);
  });
  it('subscribes over graphql-ws with the same credentials, as a server action would', async () => {
    const events = hub.subscribe(WebhookProcessedDocument, { client: 'banban', flow: 'sales' });
    const first = events.next();
    await new Promise((r) => setTimeout(r, 300)); // the subscription is registered before the delivery
    const res = await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: 'SDK-LIVE-1' }));
    const { value } = await first;
    expect(value?.webhookProcessed).toMatchObject({
      id: res.body.eventId,
      client: 'banban',
      flow: 'sales',
      action: 'register_sale',
      outcome: 'PROCESSED',
      httpStatus: 200,
    });
    await events.return?.();
  });
});
