import { Webhook } from 'standardwebhooks';
import { variant } from '../support/fixtures';
import { scrapeMetrics } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Hostile deliveries to the REST shim, each refused with its status and code, quarantined, counted,
 * and without any business effect. Signatures are produced by the official `standardwebhooks` package.
 */
let t: TestApp;
let revokedKey: string;
let purchaseKey: string;
let secretA: string;
let secretB: string;
let revokedSecret: string;

const TRUSTED_PROXY = '10.0.0.1';
const OUTSIDE = '198.51.100.7';
const INSIDE_V4 = '203.0.113.5';
const INSIDE_V6 = '2001:db8::5';

beforeAll(async () => {
  t = await startTestApp({ TRUSTED_PROXIES: `${TRUSTED_PROXY},fd00::/8` });
  const revoked = await t.services.apiKeys.issue({ clientId: 'banban', name: 'old' });
  await t.db.query(`update api_keys set revoked_at = now() where id = $1`, [revoked.record.id]);
  revokedKey = revoked.key;
  purchaseKey = (await t.services.apiKeys.issue({ clientId: 'banban', flow: 'purchase', name: 'purchase-only' })).key;
  secretA = (await t.services.security.createSecret(t.db, 'banban', 'current')).secret;
  secretB = (await t.services.security.createSecret(t.db, 'banban', 'next')).secret;
  const old = await t.services.security.createSecret(t.db, 'banban', 'retired');
  await t.services.security.revokeSecret(t.db, old.id);
  revokedSecret = old.secret;
});
afterAll(() => t.close());

type Mode = 'api_key' | 'signature' | 'both';

async function settings(schemes: Mode, ipAllowlist: string[] = []) {
  await t.services.security.update(t.db, 'banban', { schemes, ipAllowlist });
}

function signed(secret: string, id: string, raw: string, at = new Date()) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, raw),
  };
}

let n = 0;
const body = () => JSON.stringify(variant('sales-flow', 'register_sale', { sale_id: `S-SEC-${++n}` }));

async function deliver(raw: string, headers: Record<string, string | undefined>, remoteAddress = '127.0.0.1') {
  const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/sales-flow',
    headers: { 'content-type': 'application/json', ...clean },
    payload: raw,
    remoteAddress,
  });
  return { status: res.statusCode, body: res.json() };
}

const minutes = (m: number) => new Date(Date.now() + m * 60_000);

interface Hostile {
  name: string;
  mode: Mode;
  allowlist?: string[];
  send: () => Promise<{ status: number; body: any }>;
  status: number;
  code: string;
}

const HOSTILE: Hostile[] = [
  { name: 'no key', mode: 'api_key', send: () => deliver(body(), {}), status: 401, code: 'GW_UNAUTHENTICATED' },
  {
    name: 'wrong key',
    mode: 'api_key',
    send: () => deliver(body(), { 'x-api-key': 'axk_this-is-not-a-key-at-all-0000000000' }),
    status: 401,
    code: 'GW_UNAUTHENTICATED',
  },
  {
    name: 'key of another flow',
    mode: 'api_key',
    send: () => deliver(body(), { 'x-api-key': purchaseKey }),
    status: 403,
    code: 'GW_FORBIDDEN',
  },
  {
    name: 'revoked key',
    mode: 'api_key',
    send: () => deliver(body(), { 'x-api-key': revokedKey }),
    status: 401,
    code: 'GW_UNAUTHENTICATED',
  },
  {
    name: 'unknown client claimed without a key',
    mode: 'signature',
    send: () => deliver(body(), { 'x-client-id': 'nobody' }),
    status: 401,
    code: 'GW_UNAUTHENTICATED',
  },
  {
    name: 'unsigned when signing is required (both)',
    mode: 'both',
    send: () => deliver(body(), { 'x-api-key': t.apiKey }),
    status: 401,
    code: 'GW_SIGNATURE_REQUIRED',
  },
  {
    name: 'unsigned when signing is required (signature)',
    mode: 'signature',
    send: () => deliver(body(), { 'x-client-id': 'banban' }),
    status: 401,
    code: 'GW_SIGNATURE_REQUIRED',
  },
  {
    name: 'key only when signature-only client',
    mode: 'signature',
    send: () => deliver(body(), { 'x-api-key': t.apiKey }),
    status: 401,
    code: 'GW_SIGNATURE_REQUIRED',
  },
  {
    name: 'signature but no key when both are required',
    mode: 'both',
    send: () => {
      const raw = body();
      return deliver(raw, { 'x-client-id': 'banban', ...signed(secretA, `msg_${n}`, raw) });
    },
    status: 401,
    code: 'GW_UNAUTHENTICATED',
  },
  {
    name: 'bad signature',
    mode: 'both',
    send: () => {
      const raw = body();
      const h = signed(secretA, `msg_bad_${n}`, raw);
      return deliver(raw, {
        'x-api-key': t.apiKey,
        ...h,
        'webhook-signature': 'v1,' + Buffer.alloc(32, 7).toString('base64'),
      });
    },
    status: 401,
    code: 'GW_SIGNATURE_INVALID',
  },
  {
    name: 'signed with a revoked secret',
    mode: 'both',
    send: () => {
      const raw = body();
      return deliver(raw, { 'x-api-key': t.apiKey, ...signed(revokedSecret, `msg_rev_${n}`, raw) });
    },
    status: 401,
    code: 'GW_SIGNATURE_INVALID',
  },
  {
    name: 'signature over a re-serialised body, not the raw one',
    mode: 'both',
    send: () => {
      const raw = JSON.stringify(JSON.parse(body()), null, 2);
      return deliver(raw, {
        'x-api-key': t.apiKey,
        ...signed(secretA, `msg_reser_${n}`, JSON.stringify(JSON.parse(raw))),
      });
    },
    status: 401,
    code: 'GW_SIGNATURE_INVALID',
  },
  {
    name: 'timestamp 6 minutes old',
    mode: 'both',
    send: () => {
      const raw = body();
      return deliver(raw, { 'x-api-key': t.apiKey, ...signed(secretA, `msg_old_${n}`, raw, minutes(-6)) });
    },
    status: 401,
    code: 'GW_TIMESTAMP_OUT_OF_TOLERANCE',
  },
  {
    name: 'timestamp 6 minutes ahead',
    mode: 'both',
    send: () => {
      const raw = body();
      return deliver(raw, { 'x-api-key': t.apiKey, ...signed(secretA, `msg_new_${n}`, raw, minutes(6)) });
    },
    status: 401,
    code: 'GW_TIMESTAMP_OUT_OF_TOLERANCE',
  },
  {
    name: 'replayed webhook-id with a new body (validly signed)',
    mode: 'both',
    send: async () => {
      const first = body();
      const ok = await deliver(first, { 'x-api-key': t.apiKey, ...signed(secretA, 'msg_replayed', first) });
      expect(ok.status).toBe(200);
      const second = body();
      return deliver(second, { 'x-api-key': t.apiKey, ...signed(secretB, 'msg_replayed', second) });
    },
    status: 409,
    code: 'GW_WEBHOOK_ID_REUSED',
  },
  {
    name: 'IP outside the allowlist',
    mode: 'api_key',
    allowlist: ['203.0.113.0/24', '2001:db8::/32'],
    send: () => deliver(body(), { 'x-api-key': t.apiKey }, OUTSIDE),
    status: 403,
    code: 'GW_IP_NOT_ALLOWED',
  },
  {
    name: 'forged X-Forwarded-For from an untrusted peer',
    mode: 'api_key',
    allowlist: ['203.0.113.0/24'],
    send: () => deliver(body(), { 'x-api-key': t.apiKey, 'x-forwarded-for': INSIDE_V4 }, OUTSIDE),
    status: 403,
    code: 'GW_IP_NOT_ALLOWED',
  },
  {
    name: 'trusted proxy forwarding an outside client',
    mode: 'api_key',
    allowlist: ['203.0.113.0/24'],
    send: () =>
      deliver(body(), { 'x-api-key': t.apiKey, 'x-forwarded-for': `${INSIDE_V4}, ${OUTSIDE}` }, TRUSTED_PROXY),
    status: 403,
    code: 'GW_IP_NOT_ALLOWED',
  },
];

async function businessRows(): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(
    `select (select count(*) from sales) + (select count(*) from sale_items)
          + (select count(*) from inventory_movements) + (select count(*) from webhook_events) as n`,
  );
  return Number(rows[0].n);
}

/** The counter as Prometheus sees it: scraped from /metrics, summed over flows. */
async function failures(reason: string): Promise<number> {
  const { status, body } = await scrapeMetrics(t);
  expect(status).toBe(200);
  const line = new RegExp(
    `^axon_webhook_verification_failures_total\\{reason="${reason}",flow="[^"]*"\\} (\\d+)$`,
    'gm',
  );
  return [...body.matchAll(line)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('hostile deliveries', () => {
  it.each(HOSTILE.map((h) => [h.name, h] as const))('%s is refused, quarantined and counted', async (_name, h) => {
    await settings(h.mode, h.allowlist);
    const before = await businessRows();
    const counted = await failures(h.code);
    const quarantined = (await t.db.query(`select count(*)::int as n from quarantine where reason = $1`, [h.code]))
      .rows[0].n;
    const extraAccepted = h.name.startsWith('replayed') ? 2 : 0; // its first, legitimate delivery: sale + event rows
    const res = await h.send();
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: h.status, code: h.code });
    expect(res.body.ok).toBe(false);
    expect(await failures(h.code)).toBe(counted + 1);
    expect((await t.db.query(`select count(*)::int as n from quarantine where reason = $1`, [h.code])).rows[0].n).toBe(
      quarantined + 1,
    );
    const after = await businessRows();
    if (extraAccepted) expect(after).toBeGreaterThan(before);
    else expect(after).toBe(before);
  });

  it('quarantine rows say why, for whom and from where, and never hold credentials or payloads', async () => {
    const { rows } = await t.db.query(
      `select client_id, flow, reason, ip, headers, body_size from quarantine where reason = 'GW_IP_NOT_ALLOWED'
       order by received_at`,
    );
    expect(rows[0]).toMatchObject({ client_id: 'banban', flow: 'sales', ip: OUTSIDE });
    expect(rows[1].headers['x-forwarded-for']).toBe(INSIDE_V4);
    expect(rows[1].ip).toBe(OUTSIDE);
    const all = await t.db.query(`select headers::text as h from quarantine`);
    for (const r of all.rows) {
      expect(r.h).not.toContain(t.apiKey);
      expect(r.h).not.toContain('v1,');
    }
    expect(rows[0].body_size).toBeGreaterThan(100);
  });
});

describe('legitimate deliveries pass', () => {
  it('both schemes, signed by either of two active secrets (rotation)', async () => {
    await settings('both');
    for (const secret of [secretA, secretB]) {
      const raw = body();
      const res = await deliver(raw, { 'x-api-key': t.apiKey, ...signed(secret, `msg_ok_${n}`, raw) });
      expect(res.status).toBe(200);
    }
  });

  it('timestamps 4 minutes off either way are within tolerance', async () => {
    await settings('both');
    for (const m of [-4, 4]) {
      const raw = body();
      expect(
        (await deliver(raw, { 'x-api-key': t.apiKey, ...signed(secretA, `msg_tol_${n}`, raw, minutes(m)) })).status,
      ).toBe(200);
    }
  });

  it('signature only, the client named by x-client-id; the raw bytes are verified (pretty-printed JSON)', async () => {
    await settings('signature');
    const raw = JSON.stringify(JSON.parse(body()), null, 2);
    const res = await deliver(raw, { 'x-client-id': 'banban', ...signed(secretB, 'msg_sig_only', raw) });
    expect(res.status).toBe(200);
    const audit = await t.db.query(`select actor, outcome, target from audit_log where target = $1`, [
      res.body.eventId,
    ]);
    expect(audit.rows[0]).toMatchObject({ actor: 'signature:next', outcome: 'ok' });
  });

  it('a signed redelivery with the same id and body is an idempotent replay, not a refusal', async () => {
    await settings('signature');
    const raw = body();
    const first = await deliver(raw, { 'x-client-id': 'banban', ...signed(secretA, 'msg_again', raw) });
    const again = await deliver(raw, { 'x-client-id': 'banban', ...signed(secretA, 'msg_again', raw) });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body.eventId).toBe(first.body.eventId);
  });

  it('the allowlist admits IPv4 and IPv6 inside it, directly or through a trusted proxy (v4 and v6)', async () => {
    await settings('api_key', ['203.0.113.0/24', '2001:db8::/32']);
    expect((await deliver(body(), { 'x-api-key': t.apiKey }, INSIDE_V4)).status).toBe(200);
    expect((await deliver(body(), { 'x-api-key': t.apiKey }, INSIDE_V6)).status).toBe(200);
    expect((await deliver(body(), { 'x-api-key': t.apiKey }, `::ffff:${INSIDE_V4}`)).status).toBe(200);
    expect(
      (await deliver(body(), { 'x-api-key': t.apiKey, 'x-forwarded-for': `${OUTSIDE}, ${INSIDE_V4}` }, TRUSTED_PROXY))
        .status,
    ).toBe(200);
    expect((await deliver(body(), { 'x-api-key': t.apiKey, 'x-forwarded-for': INSIDE_V6 }, 'fd00::1')).status).toBe(
      200,
    );
    await settings('api_key', []);
  });

  it('every delivery is in the audit trail with who, what, from where and the outcome', async () => {
    const { rows } = await t.db.query(
      `select actor, role, source, action, ip, outcome from audit_log where source = 'rest' order by id`,
    );
    expect(rows.length).toBeGreaterThan(HOSTILE.length);
    expect(rows).toContainEqual(
      expect.objectContaining({
        actor: 'anonymous',
        action: 'sales-flow/register_sale',
        outcome: 'refused:GW_UNAUTHENTICATED',
      }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({
        actor: 'api-key:test',
        role: 'webhook',
        action: 'sales-flow/register_sale',
        ip: INSIDE_V4,
        outcome: 'ok',
      }),
    );
    expect(rows).toContainEqual(expect.objectContaining({ ip: OUTSIDE, outcome: 'refused:GW_IP_NOT_ALLOWED' }));
  });
});

describe('the audit trail under hostile input', () => {
  it('a NUL in a path does not sink the entries recorded with it (stored as U+FFFD)', async () => {
    await settings('api_key');
    const [hostile, legit] = await Promise.all([
      t.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks/sales%00-flow',
        headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
        payload: body(),
      }),
      deliver(body(), { 'x-api-key': t.apiKey }),
    ]);
    expect([hostile.statusCode, legit.status]).toEqual([404, 200]);
    const { rows } = await t.db.query(
      `select action, outcome from audit_log where target = $1 or action like 'sales\uFFFD-flow%'`,
      [legit.body.eventId],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { action: 'sales-flow/register_sale', outcome: 'ok' },
        { action: 'sales\uFFFD-flow/register_sale', outcome: 'refused:GW_UNKNOWN_FLOW' },
      ]),
    );
  });
});

describe('input hygiene', () => {
  it('invalid UTF-8 in the raw body is 400, not silently replaced', async () => {
    const raw = Buffer.concat([
      Buffer.from('{"action":"register_sale","data":{"sale_id":"S-'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/sales-flow',
      headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
      payload: raw,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('GW_INVALID_ENCODING');
  });

  it('control characters are refused with the field path; HTML-looking text is stored as data, verbatim', async () => {
    const ctrl = variant('sales-flow', 'register_sale', { sale_id: 'S-CTRL' });
    ctrl.data.items[0].description = 'bad\u0007bell';
    const res = await deliver(JSON.stringify(ctrl), { 'x-api-key': t.apiKey });
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe('data.items.0.description');
    const html = variant('sales-flow', 'register_sale', { sale_id: 'S-HTML' });
    html.data.items[0].description = '<script>alert("x")</script><img src=x onerror=1>';
    expect((await deliver(JSON.stringify(html), { 'x-api-key': t.apiKey })).status).toBe(200);
    const { rows } = await t.db.query(`select description from sale_items where sale_id = 'S-HTML' and line_no = 1`);
    expect(rows[0].description).toBe('<script>alert("x")</script><img src=x onerror=1>');
  });
});

describe('the same body rules on /graphql', () => {
  const post = (payload: string | Buffer) =>
    t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
      payload,
    });
  const register = (name: string) =>
    JSON.stringify({
      query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }',
      variables: { i: { client: 'banban', name } },
    });

  it('invalid UTF-8 and non-text escapes are 400 GW_INVALID_ENCODING before any GraphQL runs', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"query":"{ sales(first: 1) { edges { cursor } } }","operationName":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    for (const payload of [bad, register('key').replace('"key"', '"k\\u0000ey"')]) {
      const res = await post(payload);
      expect([res.statusCode, res.json().error?.code]).toEqual([400, 'GW_INVALID_ENCODING']);
    }
  });

  it(
    'U+0000 as a GraphQL escape in the document is a validation error, ' + 'never reaching the store (no 500)',
    async () => {
      const res = await post(
        JSON.stringify({
          query: 'mutation { createWebhookSecret(client: "banban", name: "nul\\u0000name") { secret } }',
        }),
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().errors?.[0]).toMatchObject({
        message: 'String values must be text; this one carries \\u0000',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
    },
  );

  it("a GET's variables are held to the same rule (query-string JSON the body parser never sees)", async () => {
    const query = encodeURIComponent('query($id: ID!) { sale(id: $id) { id } }');
    const get = (variables: string) =>
      t.app.inject({
        method: 'GET',
        url: `/graphql?query=${query}&variables=${encodeURIComponent(variables)}`,
        headers: { 'x-api-key': t.apiKey, 'apollo-require-preflight': '1' },
      });
    for (const variables of ['{"id":"a\\u0000b"}', '{"id":"a\\ud800b"}']) {
      const res = await get(variables);
      expect([res.statusCode, res.json().error?.code]).toEqual([400, 'GW_INVALID_ENCODING']);
    }
    const fine = await get('{"id":"V-NONE"}');
    expect([fine.statusCode, fine.json()]).toEqual([200, { data: { sale: null } }]);
  });

  it('control characters in GraphQL inputs are refused with the field path, like the webhook contracts', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
      payload: JSON.stringify({
        query: 'mutation($i: RegisterSaleInput!) { registerSale(input: $i) { id } }',
        variables: {
          i: {
            id: 'S-GQL-CTRL',
            channel: 'store',
            storeCode: 'LJ-001',
            soldAt: '2026-11-28T12:00:00Z',
            total: '1.00',
            items: [{ sku: 'SKU-1', quantity: 1, unitPrice: '1.00', description: 'bad\u0007bell' }],
          },
        },
      }),
    });
    expect(res.json().errors?.[0]?.extensions).toMatchObject({
      code: 'GW_VALIDATION_FAILED',
      issues: [{ path: 'input.items.0.description', code: 'invalid_format' }],
    });
    expect((await t.db.query(`select count(*)::int as n from sales where id = 'S-GQL-CTRL'`)).rows[0].n).toBe(0);
  });
});

describe('JSON escapes that are not text', () => {
  it.each([['\\u0000'], ['\\ud800'], ['\\udfff']])(
    '%s in the body is 400 GW_INVALID_ENCODING (jsonb would refuse it, text would mangle it)',
    async (escape) => {
      const raw = JSON.stringify(variant('sales-flow', 'register_sale', { sale_id: 'S-ESC' })).replace(
        '"Tênis',
        `"T${escape}ênis`,
      );
      expect(raw).toContain(escape);
      const res = await deliver(raw, { 'x-api-key': t.apiKey });
      expect([res.status, res.body.error.code]).toEqual([400, 'GW_INVALID_ENCODING']);
    },
  );

  it('a well-formed surrogate pair (an emoji) is fine', async () => {
    const raw = JSON.stringify(
      variant('sales-flow', 'register_sale', { sale_id: 'S-EMOJI', customer: { customer_id: 'C-EMOJI', name: 'Ana' } }),
    ).replace('"Ana"', '"Ana \\ud83d\\ude00"');
    expect(raw).toContain('\\ud83d');
    const res = await deliver(raw, { 'x-api-key': t.apiKey });
    expect(res.status).toBe(200);
    const { rows } = await t.db.query(`select name from customers where id = 'C-EMOJI'`);
    expect(rows[0].name).toBe('Ana 😀');
  });
});
