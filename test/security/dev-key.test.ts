import { once } from 'node:events';
import { createApiKey } from '../../src/auth/key-management';
import { ConfigError, loadConfig } from '../../src/config';
import { fixture } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { Feed, listen, liveClient } from '../support/live';
import { spawnGateway } from '../support/gateway-process';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * DEV_API_KEY is a development convenience: production refuses to start with it, and refuses the
 * dev keys a development run may have left in its database.
 */
const DEV_KEY = 'axk_dev_key_for_the_production_refusal_test_0001';

describe('DEV_API_KEY under NODE_ENV=production', () => {
  it('loadConfig throws a ConfigError that says why and what to do', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', DEV_API_KEY: DEV_KEY });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/DEV_API_KEY: must not be set when NODE_ENV=production/);
    expect((error as Error).message).toMatch(/npm run keys -- create/);
    expect(loadConfig({ NODE_ENV: 'development', DEV_API_KEY: DEV_KEY }).devApiKey).toBe(DEV_KEY);
  });

  it('the process (npm start) refuses to start: exit code 1, the reason on stderr', async () => {
    const env = { NODE_ENV: 'production', DEV_API_KEY: DEV_KEY, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const child = spawnGateway(env);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toMatch(/DEV_API_KEY: must not be set when NODE_ENV=production/);
  }, 60_000);
});

describe('a dev key left in the database, met by a production gateway', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production', RATE_LIMIT_ENABLED: 'false' });
    await t.services.apiKeys.ensure({ clientId: 'banban', name: 'dev', key: DEV_KEY });
  });
  afterAll(() => t.close());

  it('REST, GraphQL and graphql-ws refuse it (401); an issued key of the same client works', async () => {
    const sale = fixture('sales-flow', 'register_sale');
    const rest = await postWebhook({ ...t, apiKey: DEV_KEY }, 'sales-flow', sale);
    expect([rest.status, rest.body.error.code]).toEqual([401, 'GW_UNAUTHENTICATED']);
    const gql = await graphql(t, '{ sales(first: 1) { edges { node { id } } } }', {}, { 'x-api-key': DEV_KEY });
    expect([gql.status, gql.body.errors?.[0]?.extensions?.code]).toEqual([401, 'GW_UNAUTHENTICATED']);
    const client = liveClient(await listen(t.app), { 'x-api-key': DEV_KEY });
    try {
      const end = await new Feed(client, 'subscription { webhookProcessed(client: "banban") { id } }').end();
      expect(end.failure).toMatchObject({ code: 4401 });
    } finally {
      await client.dispose();
    }
    expect((await postWebhook(t, 'sales-flow', sale)).status).toBe(200);
  });

  it('no other key can take the reserved name', async () => {
    const created = createApiKey(t.services.apiKeys, { client: 'banban', name: 'dev' });
    await expect(created).rejects.toMatchObject({ code: 'GW_VALIDATION_FAILED' });
  });
});
