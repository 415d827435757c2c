import type { webcrypto } from 'node:crypto';
type Key = webcrypto.CryptoKey;
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { eventually } from '../support/eventually';
import { fixture } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { Feed, listen, liveClient, untilLive, webhookProbe } from '../support/live';
import { startTestApp, TestApp } from '../support/test-app';
import { AUDIENCE, appToken, bearer, ISSUER, JWT_ENV, opsToken, token, unsignedToken } from './tokens';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(JWT_ENV);
  expect((await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'))).status).toBe(200);
});
afterAll(() => t.close());

async function gql(query: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify({ query, variables }),
  });
  return {
    status: res.statusCode,
    body: res.json() as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> },
  };
}

const SALE = '{ sale(id: "V-2026-000123") { id total } }';

const hostile: Array<[string, () => Promise<string> | string, number, string]> = [
  [
    'expired',
    () => token({ client: 'banban', role: 'app', expiresIn: Math.floor(Date.now() / 1000) - 60 }),
    401,
    'GW_UNAUTHENTICATED',
  ],
  [
    'wrong issuer',
    () => token({ client: 'banban', role: 'app', issuer: 'https://evil.example/auth/v1' }),
    401,
    'GW_UNAUTHENTICATED',
  ],
  ['wrong audience', () => token({ client: 'banban', role: 'app', audience: 'anon' }), 401, 'GW_UNAUTHENTICATED'],
  [
    'alg none',
    () => unsignedToken({ client_id: 'banban', hub_role: 'ops', sub: 'mallory' }),
    401,
    'GW_UNAUTHENTICATED',
  ],
  [
    'signed with another secret',
    () => token({ client: 'banban', role: 'ops', secret: 'not-the-secret-but-long-enough-to-sign-with' }),
    401,
    'GW_UNAUTHENTICATED',
  ],
  [
    'no expiry',
    () =>
      new SignJWT({ client_id: 'banban', hub_role: 'app' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .sign(new TextEncoder().encode(JWT_ENV.JWT_SECRET)),
    401,
    'GW_UNAUTHENTICATED',
  ],
  ['claiming the internal webhook role', () => token({ client: 'banban', role: 'webhook' }), 403, 'GW_FORBIDDEN'],
  ['an app token naming no client', () => token({ role: 'app' }), 403, 'GW_FORBIDDEN'],
  ['a malformed client id', () => token({ role: 'app', client: "banban' or '1'='1" }), 403, 'GW_FORBIDDEN'],
  ['not a JWT at all', () => 'abc.def', 401, 'GW_UNAUTHENTICATED'],
];

describe('Bearer JWTs', () => {
  it("a valid HS256 app token reads its client's data", async () => {
    const res = await gql(SALE, bearer(await appToken('banban')));
    expect(res.body.data.sale).toEqual({ id: 'V-2026-000123', total: '309.70' });
  });

  it("Supabase's shape works too: claims under app_metadata, role authenticated means app", async () => {
    const res = await gql(SALE, bearer(await token({ claims: { app_metadata: { client_id: 'banban' } } })));
    expect(res.body.data.sale.id).toBe('V-2026-000123');
  });

  it.each(hostile)('%s is refused', async (_name, make, status, code) => {
    const res = await gql(SALE, bearer(await make()));
    expect({ status: res.status, code: res.body.errors?.[0]?.extensions?.code, data: res.body.data?.sale }).toEqual({
      status,
      code,
      data: undefined,
    });
  });

  it('no credentials: business fields need authentication', async () => {
    const res = await gql(SALE, {});
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GW_UNAUTHENTICATED');
    expect(res.body.data?.sale ?? null).toBeNull();
  });
});

describe('subscriptions: the token in connectionParams', () => {
  const WATCH = 'subscription($c: String!) { webhookProcessed(client: $c) { id client } }';
  let url: string;
  beforeAll(async () => {
    url = await listen(t.app);
    await t.db.query(`insert into clients (id, name) values ('acme', 'Acme') on conflict do nothing`);
  });

  async function watch(tok: string, client = 'banban') {
    const c = liveClient(url, bearer(tok));
    return { c, feed: new Feed(c, WATCH, { c: client }) };
  }

  it.each(hostile)('%s: the connection is refused (44xx close), nothing is delivered', async (_name, make, status) => {
    const { c, feed } = await watch(await make());
    try {
      const end = await feed.end();
      expect(end.failure).toMatchObject({ code: 4000 + status });
      expect(end.results).toEqual([]);
    } finally {
      await c.dispose();
    }
  });

  it("a foreign tenant's app token cannot watch banban; banban's and an ops token (no client_id) can", async () => {
    const acme = await watch(await appToken('acme'));
    try {
      const end = await acme.feed.end();
      expect(end.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['GW_FORBIDDEN']);
      expect(end.results[0].data ?? null).toBeNull();
    } finally {
      await acme.c.dispose();
    }
    for (const tok of [await appToken('banban'), await opsToken()]) {
      const { c, feed } = await watch(tok);
      try {
        await untilLive(feed, webhookProbe(t.services.events), 'webhookProcessed');
      } finally {
        feed.close();
        await c.dispose();
      }
    }
  });
});

describe('JWKS (a real local HTTP server)', () => {
  let server: Server;
  let jwksApp: TestApp;
  let signer: Key;
  let stranger: Key;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signer = pair.privateKey;
    stranger = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((req, res) => {
      res.writeHead(req.url === '/.well-known/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    jwksApp = await startTestApp({ JWT_JWKS_URL: url, JWT_ISSUER: ISSUER });
  });
  afterAll(async () => {
    await jwksApp.close();
    await new Promise((r) => server.close(r));
  });

  const rs = (key: Key, kid = 'k1', claims: Record<string, unknown> = { client_id: 'banban', hub_role: 'ops' }) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('svc')
      .setExpirationTime('5m')
      .sign(key);

  async function call(tok: string) {
    const res = await jwksApp.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...bearer(tok) },
      payload: JSON.stringify({ query: '{ apiKeys { name } }' }),
    });
    return res.json();
  }

  it('accepts RS256 tokens signed by a key of the JWKS', async () => {
    expect((await call(await rs(signer))).data.apiKeys).toEqual(expect.arrayContaining([{ name: 'test' }]));
  });

  it('refuses a token signed by another key, an unknown kid, and HS256 when no secret is configured', async () => {
    expect((await call(await rs(stranger))).errors[0].extensions.code).toBe('GW_UNAUTHENTICATED');
    expect((await call(await rs(stranger, 'k2'))).errors[0].extensions.code).toBe('GW_UNAUTHENTICATED');
    expect((await call(await opsToken())).errors[0].extensions.code).toBe('GW_UNAUTHENTICATED');
  });
});

describe('roles', () => {
  const OPS_FIELDS: Array<[string, string]> = [
    ['apiKeys', '{ apiKeys { id } }'],
    ['webhookSecrets', '{ webhookSecrets { id } }'],
    ['clientSecurity', '{ clientSecurity(client: "banban") { schemes } }'],
    ['quarantine', '{ quarantine { edges { node { id } } } }'],
    ['auditLog', '{ auditLog { edges { node { id } } } }'],
    ['createApiKey', 'mutation { createApiKey(input: { client: "banban", name: "x" }) { key } }'],
    ['revokeApiKey', 'mutation { revokeApiKey(id: "1") { id } }'],
    ['createWebhookSecret', 'mutation { createWebhookSecret(client: "banban", name: "x") { secret } }'],
    ['revokeWebhookSecret', 'mutation { revokeWebhookSecret(id: "1") { id } }'],
    [
      'updateClientSecurity',
      'mutation { updateClientSecurity(client: "banban", input: { schemes: SIGNATURE }) { schemes } }',
    ],
  ];
  it.each(OPS_FIELDS)('%s is for ops only (app tokens and API keys get GW_FORBIDDEN)', async (_f, query) => {
    for (const headers of [bearer(await appToken('banban')), { 'x-api-key': t.apiKey }]) {
      const res = await gql(query, headers);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('GW_FORBIDDEN');
      expect(res.body.data ?? null).toBeNull();
    }
    const keys = await t.db.query(`select count(*)::int as n from api_keys where name = 'x'`);
    expect(keys.rows[0].n).toBe(0);
    expect((await t.services.security.settingsOf('banban')).schemes).toBe('api_key');
  });

  it(
    'ops manage keys: created once, listed without the key, ' +
      'working on its flow only, revoked at once — all audited',
    async () => {
      const ops = bearer(await opsToken('alice'));
      const created = await gql(
        `mutation($i: CreateApiKeyInput!) {
          createApiKey(input: $i) { key apiKey { id clientId flow name keyPrefix revokedAt } } }`,
        ops,
        {
          i: { client: 'banban', flow: 'sales-flow', name: 'erp-2026' },
        },
      );
      const { key, apiKey } = created.body.data.createApiKey;
      expect(apiKey).toMatchObject({
        clientId: 'banban',
        flow: 'sales',
        name: 'erp-2026',
        keyPrefix: key.slice(0, 10),
        revokedAt: null,
      });
      const listed = await gql('{ apiKeys(client: "banban") { id name keyPrefix } }', ops);
      expect(JSON.stringify(listed.body)).not.toContain(key);
      expect(listed.body.data.apiKeys).toContainEqual({ id: apiKey.id, name: 'erp-2026', keyPrefix: key.slice(0, 10) });

      const sale = {
        action: 'register_sale',
        data: { ...fixture('sales-flow', 'register_sale').data, sale_id: 'S-NEWKEY' },
      };
      expect((await postWebhook({ ...t, apiKey: key }, 'sales-flow', sale)).status).toBe(200);
      // created and last-used times: last use is written off the request path, shortly after
      await eventually(async () => {
        const used = await gql('{ apiKeys(client: "banban") { id createdAt lastUsedAt } }', ops);
        const row = used.body.data.apiKeys.find((k: any) => k.id === apiKey.id);
        expect(Date.parse(row.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(row.createdAt));
      });
      expect(
        (await gql(`mutation { revokeApiKey(id: "${apiKey.id}") { revokedAt } }`, ops)).body.data.revokeApiKey
          .revokedAt,
      ).toEqual(expect.any(String));
      const after = await postWebhook({ ...t, apiKey: key }, 'sales-flow', {
        ...sale,
        data: { ...sale.data, sale_id: 'S-NEWKEY-2' },
      });
      expect([after.status, after.body.error.code]).toEqual([401, 'GW_UNAUTHENTICATED']);
      expect(
        (await gql('{ apiKeys(client: "banban", includeRevoked: false) { id } }', ops)).body.data.apiKeys,
      ).not.toContainEqual({ id: apiKey.id });

      const audit = await gql(
        `{ auditLog(filter: { actor: "jwt:alice" }) {
          edges { node { actor role source action target outcome ip } } } }`,
        ops,
      );
      const actions = audit.body.data.auditLog.edges.map((e: any) => e.node);
      expect(actions).toEqual([
        expect.objectContaining({
          action: 'mutation revokeApiKey',
          target: String(apiKey.id),
          outcome: 'ok',
          source: 'graphql',
          role: 'ops',
          ip: '127.0.0.1',
        }),
        expect.objectContaining({ action: 'mutation createApiKey', target: 'banban', outcome: 'ok' }),
      ]);
    },
  );

  it(
    "ops replay any client's dead events (client in the filter); " +
      'the replay is audited with what it asked and what it requeued',
    async () => {
      const orphan = await postWebhook(t, 'sales-flow', {
        action: 'register_payment',
        data: { ...fixture('sales-flow', 'register_payment').data, sale_id: 'S-NOT-YET', payment_id: 'P-NOT-YET' },
      });
      expect(orphan.status).toBe(409);
      await t.db.query(`update webhook_events set status = 'dead' where id = $1`, [orphan.body.eventId]);
      const replay =
        'mutation($f: ReplayWebhookEventsFilterInput!) { replayWebhookEvents(filter: $f) { requeued eventIds } }';
      const f = { client: 'banban', ids: [orphan.body.eventId] };
      const acme = await gql(replay, bearer(await appToken('acme')), { f });
      expect(acme.body.errors?.[0]?.extensions?.code).toBe('GW_FORBIDDEN');
      const ops = bearer(await opsToken('ops-replayer')); // no client_id: names the client in the filter
      const res = await gql(replay, ops, { f });
      expect(res.body.data.replayWebhookEvents).toEqual({ requeued: 1, eventIds: [orphan.body.eventId] });

      const audit = await gql(
        `{ auditLog(filter: { action: "mutation replayWebhookEvents" }, first: 5) {
          edges { node { actor role target outcome ip details } } } }`,
        ops,
      );
      expect(audit.body.data.auditLog.edges.map((e: any) => e.node)).toEqual([
        {
          actor: 'jwt:ops-replayer',
          role: 'ops',
          target: 'banban',
          outcome: 'ok',
          ip: '127.0.0.1',
          details: {
            operationName: null,
            partial: false,
            arguments: { filter: f },
            result: { requeued: 1, eventIds: [orphan.body.eventId] },
          },
        },
        expect.objectContaining({
          actor: 'jwt:acme-user',
          role: 'app',
          target: 'banban',
          outcome: 'refused:GW_FORBIDDEN',
        }),
      ]);
    },
  );

  it('refused mutations are audited with their code', async () => {
    await gql(
      'mutation { createApiKey(input: { client: "banban", name: "x" }) { key } }',
      bearer(await appToken('banban', 'eve')),
    );
    const { rows } = await t.db.query(`select actor, outcome, client_id from audit_log where actor = 'jwt:eve'`);
    expect(rows).toEqual([{ actor: 'jwt:eve', outcome: 'refused:GW_FORBIDDEN', client_id: 'banban' }]);
  });

  it('an unknown flow or client is a validation error, not a key', async () => {
    const ops = bearer(await opsToken());
    for (const input of [
      { client: 'banban', flow: 'nope-flow', name: 'k' },
      { client: 'nobody', name: 'k' },
    ]) {
      const res = await gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }', ops, { i: input });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('GW_VALIDATION_FAILED');
    }
  });

  it(
    'ops see the quarantine and per-client settings; ' + 'an ops token without a client must name one for tenant data',
    async () => {
      await postWebhook(
        { ...t, apiKey: 'axk_wrong-key-wrong-key-wrong-key-000' },
        'sales-flow',
        fixture('sales-flow', 'register_sale'),
      );
      const ops = bearer(await opsToken());
      const q = await gql(
        `{ quarantine(filter: { reason: "GW_UNAUTHENTICATED" }, first: 5) {
          edges { node { reason flow ip headers } } } }`,
        ops,
      );
      expect(q.body.data.quarantine.edges[0].node).toMatchObject({
        reason: 'GW_UNAUTHENTICATED',
        flow: 'sales',
        ip: '127.0.0.1',
        headers: { 'x-api-key': '(present)' },
      });
      expect(
        (await gql('{ clientSecurity(client: "banban") { schemes ipAllowlist } }', ops)).body.data.clientSecurity,
      ).toEqual({ schemes: 'API_KEY', ipAllowlist: [] });
      const bad = await gql(
        'mutation { updateClientSecurity(client: "banban", input: { ipAllowlist: ["10.0.0.0/33"] }) { schemes } }',
        ops,
      );
      expect(bad.body.errors?.[0]?.extensions?.code).toBe('GW_VALIDATION_FAILED');
      expect((await gql(SALE, ops)).body.errors?.[0]?.extensions?.code).toBe('GW_VALIDATION_FAILED');
      const events = await gql('{ webhookEvents(client: "banban", first: 1) { edges { node { flow } } } }', ops);
      expect(events.body.data.webhookEvents.edges).toHaveLength(1);
      expect((await gql(SALE, bearer(await opsToken('bob', 'banban')))).body.data.sale.id).toBe('V-2026-000123');
    },
  );
});
