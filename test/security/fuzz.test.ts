import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { FlowDefinition } from '../../src/webhooks/flow-definition';
import { FLOWS } from '../../src/webhooks/flows';
import { fixture, FIXTURES_DIR } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * 10,000 malformed deliveries over every action of every registered flow (new flows are covered as
 * they join FLOWS): each is answered 4xx and nothing is written to a business table. "Malformed" is
 * decided by the contract itself: generated payloads that the envelope and the action's zod schema
 * would accept are dropped, so every request sent is one the gateway must refuse.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const CONCURRENCY = 16;
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);

let t: TestApp;
beforeAll(async () => {
  // The metrics-history job (every 30 s by default) aggregates the refused deliveries into
  // integration_metrics, which is telemetry rather than a business row: off for this run.
  t = await startTestApp({ METRICS_AGGREGATE_INTERVAL_SECONDS: '0' });
  // A throwaway database needs no durable commits: without the fsync wait the run is about twice as fast.
  const admin = new Client({ connectionString: t.database.url });
  await admin.connect();
  await admin.query(`alter database "${t.database.name}" set synchronous_commit = off`);
  await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database()
     and pid <> pg_backend_pid()`,
  );
  await admin.end();
  await t.db.ping(); // the pool drops the terminated connections; new ones get the setting
});
afterAll(() => t.close());

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ACTIONS = (Object.values(FLOWS) as FlowDefinition[]).flatMap((flow) =>
  Object.keys(flow.actions).map((action) => {
    const file = join(FIXTURES_DIR, 'banban', flow.path, `${action}.json`);
    const base = existsSync(file)
      ? (fixture(flow.path, action) as unknown as { action: string; data: Json })
      : { action, data: {} };
    return { flow, action, base };
  }),
);

function paths(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [prefix];
  const entries: [string | number, Json][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return [prefix, ...entries.flatMap(([k, x]) => paths(x, [...prefix, k]))];
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const copy = structuredClone(root) as any;
  let node = copy;
  for (const k of path.slice(0, -1)) {
    node = node?.[k];
    if (node === null || typeof node !== 'object') return copy; // an earlier change removed this path
  }
  if (node === null || typeof node !== 'object') return copy;
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

const hostileScalar: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\n', 'a'), maxLength: 10 }),
  fc.constantFrom(
    '',
    ' ',
    'x'.repeat(5000),
    '<script>alert(1)</script>',
    "'; drop table sales; --",
    '\u202e',
    '١٢٣',
    '${7*7}',
    '../../etc/passwd',
  ),
  fc.constantFrom('1e3', '-1.00', '1.234', 'NaN', 'Infinity', '0x10', ' 1.00', '99999999999999.99', '1,00'),
  fc.constantFrom(
    '2026-13-45T99:99:99Z',
    '2026-11-28T10:00:00',
    'yesterday',
    '2026-02-30T00:00:00Z',
    '0000-00-00T00:00:00Z',
  ),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(1e308, -1e308, 0.1, -1, 0, 1.5, 2 ** 31, -(2 ** 31), 2 ** 53 + 2),
  fc.boolean(),
  fc.constant(null),
);
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 5 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), hostileScalar, { maxKeys: 4 }) as fc.Arbitrary<Json>,
  },
);

interface Sample {
  label: string;
  raw: string | Buffer;
}

const structural = fc
  .tuple(
    fc.constantFrom(...ACTIONS),
    fc.nat(),
    fc.constantFrom('replace', 'delete', 'add', 'many'),
    hostileValue,
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.array(hostileValue, { minLength: 2, maxLength: 6 }),
  )
  .map(([a, pick, kind, value, key, more]): { a: (typeof ACTIONS)[number]; envelope: Json } => {
    const all = paths(a.base.data);
    const path = all[pick % all.length];
    let data: Json = a.base.data;
    if (kind === 'replace') data = setAt(data, path, value);
    else if (kind === 'delete') data = setAt(data, path, undefined);
    else if (kind === 'add') {
      const objects = all.filter((p) => {
        let n: any = a.base.data;
        for (const k of p) n = n[k];
        return n && typeof n === 'object' && !Array.isArray(n);
      });
      data = setAt(data, [...objects[pick % objects.length], `x_${key}`], value);
    } else for (const [i, v] of more.entries()) data = setAt(data, all[(pick + i * 7) % all.length], v);
    return { a, envelope: { action: a.action, data } };
  });

const envelopeLevel = fc.tuple(fc.constantFrom(...ACTIONS), fc.nat(5), hostileValue).map(([a, kind, value]) => {
  const envelopes: Json[] = [
    { data: a.base.data },
    { action: value, data: a.base.data },
    { action: `${a.action}_x`, data: a.base.data },
    { action: a.action, data: Array.isArray(value) ? value : [value] },
    { action: a.action, data: a.base.data, extra: value },
    value,
  ];
  return { a, envelope: envelopes[kind] };
});

const rawLevel = fc
  .tuple(fc.constantFrom(...ACTIONS), fc.nat(5), fc.nat())
  .map(([a, kind, at]): { a: (typeof ACTIONS)[number]; raw: string | Buffer } => {
    const text = JSON.stringify(a.base);
    const cut = 1 + (at % (text.length - 1));
    const raws: Array<string | Buffer> = [
      text.slice(0, cut),
      Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(text.slice(cut))]),
      text.replace('{', '{"__proto__":{"admin":true},'),
      text.replace('"data":{', '"data":{"x":"\\ud800",'),
      `{"action":"${a.action}","data":${'['.repeat(2000)}${']'.repeat(2000)}}`,
      text.replace('"data":{', '"data":{"x":"\\u0000",'),
    ];
    return { a, raw: raws[kind] };
  });

function isAccepted(a: (typeof ACTIONS)[number], envelope: Json): boolean {
  if (!envelope || typeof envelope !== 'object' || Array.isArray(envelope)) return false;
  const keys = Object.keys(envelope);
  if (
    keys.length !== 2 ||
    envelope.action !== a.action ||
    !envelope.data ||
    typeof envelope.data !== 'object' ||
    Array.isArray(envelope.data)
  )
    return false;
  return a.flow.actions[a.action].schema.safeParse(envelope.data).success;
}

const malformed: fc.Arbitrary<Sample & { flowPath: string }> = fc.oneof(
  {
    weight: 6,
    arbitrary: structural
      .filter(({ a, envelope }) => !isAccepted(a, envelope))
      .map(({ a, envelope }) => ({
        label: `${a.flow.path}/${a.action}`,
        flowPath: a.flow.path,
        raw: JSON.stringify(envelope),
      })),
  },
  {
    weight: 2,
    arbitrary: envelopeLevel
      .filter(({ a, envelope }) => !isAccepted(a, envelope))
      .map(({ a, envelope }) => ({
        label: `${a.flow.path}/envelope`,
        flowPath: a.flow.path,
        raw: JSON.stringify(envelope) ?? 'null',
      })),
  },
  { weight: 2, arbitrary: rawLevel.map(({ a, raw }) => ({ label: `${a.flow.path}/raw`, flowPath: a.flow.path, raw })) },
);

/** Every date-time of a payload, by path (the contracts' `timestamp()` fields in the fixtures). */
function dateTimePaths(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v === 'string') return /^\d{4}-\d{2}-\d{2}T/.test(v) ? [prefix] : [];
  if (v === null || typeof v !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return entries.flatMap(([k, x]) => dateTimePaths(x, [...prefix, k]));
}

const PROTOTYPE_KEYS = [
  'toString',
  'constructor',
  '__proto__',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
];
const OUT_OF_RANGE_DATES = [
  '0000-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '1999-12-31T20:59:59-03:00',
  '9999-12-31T23:59:59Z',
];

/**
 * Known-hostile deliveries sent before the generated ones, on every flow and action: actions that
 * are Object.prototype members, JSON nested thousands of levels, and fact date-times out of bounds
 * (before FACT_MIN_DATE, or later than the clock plus FACT_MAX_FUTURE_SKEW_SECONDS) at every field.
 */
function seeds(): Array<Sample & { flowPath: string }> {
  const out: Array<Sample & { flowPath: string }> = [];
  const flows = Object.values(FLOWS) as FlowDefinition[];
  for (const flow of flows) {
    for (const action of PROTOTYPE_KEYS) {
      out.push({ label: `${flow.path}/seed`, flowPath: flow.path, raw: JSON.stringify({ action, data: {} }) });
      out.push({
        label: `${flow.path}/seed`,
        flowPath: flow.path,
        raw: `{"action":"${action}","data":{"${action}":{}}}`,
      });
    }
    const action = Object.keys(flow.actions)[0];
    for (const open of ['{"a":', '[']) {
      const close = open === '[' ? ']' : '}';
      for (const levels of [65, 5_000, 50_000]) {
        out.push({
          label: `${flow.path}/seed`,
          flowPath: flow.path,
          raw: `{"action":"${action}","data":{"x":${open.repeat(levels)}1${close.repeat(levels)}}}`,
        });
      }
    }
  }
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  for (const a of ACTIONS) {
    for (const path of dateTimePaths(a.base.data)) {
      for (const at of [...OUT_OF_RANGE_DATES, tomorrow]) {
        out.push({
          label: `${a.flow.path}/seed`,
          flowPath: a.flow.path,
          raw: JSON.stringify({ action: a.action, data: setAt(a.base.data, path, at) }),
        });
      }
    }
  }
  return out;
}

async function businessFingerprint(): Promise<Record<string, number>> {
  const { rows: tables } = await t.db.query<{ table_name: string }>(
    `select distinct table_name from information_schema.columns where table_schema = 'public'
     and column_name = 'client_id' and not hub_is_private_table(table_name::text) order by 1`,
  );
  const out: Record<string, number> = {};
  for (const { table_name } of tables)
    out[table_name] = (await t.db.query(`select count(*)::int as n from "${table_name}"`)).rows[0].n;
  return out;
}

it(
  `${RUNS} malformed payloads over ${ACTIONS.length} actions, ` +
    'after the hostile seeds: only 4xx, zero business rows written',
  async () => {
    const t0 = Date.now();
    const seeded = seeds();
    const generated = fc.sample(malformed, { numRuns: RUNS, seed: SEED });
    const samples = [...seeded, ...generated];
    const generatedMs = Date.now() - t0;
    const before = await businessFingerprint();
    const statuses = new Map<number, number>();
    const failures: Array<{ label: string; status: number; body: string; raw: string }> = [];
    const perAction = new Map<string, number>();
    for (let i = 0; i < samples.length; i += CONCURRENCY) {
      await Promise.all(
        samples.slice(i, i + CONCURRENCY).map(async (s) => {
          const res = await t.app.inject({
            method: 'POST',
            url: `/api/v1/webhooks/${s.flowPath}`,
            headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
            payload: s.raw,
          });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          perAction.set(s.label, (perAction.get(s.label) ?? 0) + 1);
          if (res.statusCode < 400 || res.statusCode >= 500)
            failures.push({
              label: s.label,
              status: res.statusCode,
              body: res.body.slice(0, 300),
              raw: String(s.raw).slice(0, 300),
            });
        }),
      );
    }
    const reproduce = `reproduce with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`;
    if (failures.length > 0) {
      const serverErrors = failures.filter((f) => f.status >= 500).length;
      throw new Error(
        `${failures.length} deliveries not refused with a 4xx (${serverErrors} of them ≥ 500); ` +
          `${reproduce}:\n${JSON.stringify(failures.slice(0, 5), null, 2)}`,
      );
    }
    const after = await businessFingerprint();
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      throw new Error(
        'business rows were written (partial writes); ' +
          `${reproduce}:\nbefore ${JSON.stringify(before)}\nafter  ${JSON.stringify(after)}`,
      );
    }
    expect(generated.length).toBe(RUNS);
    expect(perAction.get('sales-flow/seed')).toBeGreaterThan(PROTOTYPE_KEYS.length);
    for (const a of ACTIONS) expect(perAction.get(`${a.flow.path}/${a.action}`) ?? 0).toBeGreaterThan(0);
    const sent = Date.now() - t0 - generatedMs;

    console.log(
      `fuzz (seed ${SEED}): ${seeded.length} seeds + ${RUNS} generated deliveries (generated in ${generatedMs} ms, ` +
        `sent in ${sent} ms), statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  },
  180_000,
);
