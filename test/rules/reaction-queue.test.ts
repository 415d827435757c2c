import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { Database } from '../../src/db/database';
import type { EvaluateEventJob } from '../../src/rules/evaluate-event.job';
import { EVALUATE_QUEUE } from '../../src/rules/reaction-queue';
import { RuleSetCache } from '../../src/rules/rule-cache';
import { variant } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { opsData } from '../support/ops';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The after-commit reactions are pg-boss jobs: enqueued in the delivery's own transaction, run by
 * whichever instance has workers. Instance `a` only ingests (QUEUE_WORKERS=0), so its jobs stay
 * queued until a worker instance on the same database starts.
 */
let a: TestApp;
let seq = 0;

beforeAll(async () => {
  a = await startTestApp({ QUEUE_WORKERS: '0', METRICS_AGGREGATE_INTERVAL_SECONDS: '0' });
});
afterAll(async () => {
  await a.close();
});

async function sale(customer: string): Promise<string> {
  const id = `V-REACT-${++seq}`;
  const r = await postWebhook(
    a,
    'sales-flow',
    variant('sales-flow', 'register_sale', { sale_id: id, customer: { customer_id: customer } }),
  );
  expect(r.status).toBe(200);
  return r.body.eventId;
}

async function jobsOf(eventIds: string[]): Promise<Array<{ state: string; data: EvaluateEventJob }>> {
  const { rows } = await a.db.query<{ state: string; data: EvaluateEventJob }>(
    `select state, data from pgboss.job where name = $2 and data->>'webhookEventId' = any($1::text[])
     order by created_on`,
    [eventIds, EVALUATE_QUEUE],
  );
  return rows;
}

const rfmOf = async (customers: string[]) =>
  (
    await a.db.query(
      `select customer_id from customer_rfm where client_id = 'banban' and customer_id = any($1::text[]) order by 1`,
      [customers],
    )
  ).rows.map((r) => r.customer_id);

describe('evaluate-event jobs', () => {
  it(
    'are committed with the delivery (its action and sale copied in); ' + 'a refused delivery enqueues nothing',
    async () => {
      const ok = await sale('C-R-1');
      const refused = await postWebhook(
        a,
        'sales-flow',
        variant('sales-flow', 'register_sale', { sale_id: 'V-REACT-BAD', total: '1.00' }),
      );
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);
      const jobs = await jobsOf([ok, refused.body.eventId]);
      expect(jobs).toEqual([
        {
          state: 'created',
          data: {
            kind: 'webhook',
            clientId: 'banban',
            webhookEventId: ok,
            action: 'register_sale',
            saleId: `V-REACT-${seq}`,
          },
        },
      ]);
    },
  );

  it('a batch re-scores the RFM of its client in one statement, and no rule query when no rule listens', async () => {
    await opsData(a, `mutation { rebuildRfm(client: "banban") { customers } }`);
    const customers = Array.from({ length: 10 }, (_, i) => `C-R-B${i}`);
    const ids: string[] = [];
    for (const c of customers) ids.push(await sale(c));
    const jobs = (await jobsOf(ids)).map((j) => j.data);
    expect(jobs).toHaveLength(10);

    const first = a.db.queryCount;
    expect(await a.services.evaluateEvents(jobs)).toEqual(Array(10).fill(null));
    // the client's rule set (loaded once, then cached) + the client's RFM transaction for the ten customers:
    // BEGIN, the client's date and zone, its lock, one statement scoring every customer, COMMIT
    expect(a.db.queryCount - first).toBe(6);
    expect(await rfmOf(customers)).toEqual(customers);

    const again = a.db.queryCount;
    await a.services.evaluateEvents(jobs);
    expect(a.db.queryCount - again).toBe(5);
  });

  it('creating a rule invalidates the cached rule set at once: the next event is evaluated against it', async () => {
    await opsData(
      a,
      `mutation { createRule(input: { name: "react", eventType: SALE_REGISTERED, conditions: { all: [] },
       actions: [{ type: "task", title: "{{saleId}}" }] }) { id } }`,
    );
    const id = await sale('C-R-2');
    const [job] = await jobsOf([id]);
    await a.services.evaluateEvents([job.data]);
    expect((await opsData(a, `{ ruleTasks { title } }`)).ruleTasks).toEqual([{ title: `V-REACT-${seq}` }]);
  });

  it('queued reactions survive the ingesting instance: a worker instance started later runs them all', async () => {
    const late = await sale('C-R-LATE');
    const db = new Database({ connectionString: a.database.url, max: 5 });
    const worker = await buildApp({
      config: loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: a.database.url,
        QUEUE_WORKERS: '1',
        METRICS_AGGREGATE_INTERVAL_SECONDS: '0',
      }),
      db,
    });
    try {
      await worker.server.ready();
      await worker.services.reactionQueue.idle();
      const { rows } = await a.db.query(
        `select state, count(*)::int as n from pgboss.job where name = $1 group by state`,
        [EVALUATE_QUEUE],
      );
      expect(rows).toEqual([{ state: 'completed', n: 13 }]);
      expect(await rfmOf(['C-R-1', 'C-R-LATE'])).toEqual(['C-R-1', 'C-R-LATE']);
      // the rule created above fired for the late sale too, once
      const tasks = (await opsData(a, `{ ruleTasks { title } }`)).ruleTasks.map((t: { title: string }) => t.title);
      expect(tasks.filter((t: string) => t === `V-REACT-${seq}`)).toHaveLength(1);
      expect((await jobsOf([late]))[0].state).toBe('completed');
    } finally {
      await worker.server.close();
      await db.close();
    }
  });

  it('deliveries committed together share one job carrying each of them, and every one is evaluated', async () => {
    const customers = Array.from({ length: 12 }, (_, i) => `C-R-G${i}`);
    const results = await Promise.all(
      customers.map((c, i) =>
        postWebhook(
          a,
          'sales-flow',
          variant('sales-flow', 'register_sale', { sale_id: `V-REACT-G${i}`, customer: { customer_id: c } }),
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    const ids = results.map((r) => r.body.eventId as string);
    const { rows } = await a.db.query<{ data: EvaluateEventJob }>(
      `select data from pgboss.job where name = $1 and state = 'created'`,
      [EVALUATE_QUEUE],
    );
    const carried = (d: EvaluateEventJob) =>
      d.kind === 'webhooks' ? d.events.map((e) => e.webhookEventId) : d.kind === 'webhook' ? [d.webhookEventId] : [];
    const jobs = rows.map((r) => r.data).filter((d) => carried(d).some((id) => ids.includes(id)));
    expect(jobs.flatMap(carried).sort()).toEqual([...ids].sort()); // each delivery once
    expect(jobs.length).toBeLessThan(12);
    const grouped = jobs.find((d) => d.kind === 'webhooks');
    expect(grouped).toMatchObject({
      kind: 'webhooks',
      clientId: 'banban',
      events: expect.arrayContaining([
        expect.objectContaining({ action: 'register_sale', saleId: expect.stringMatching(/^V-REACT-G/) }),
      ]),
    });
    expect(await a.services.evaluateEvents(jobs)).toEqual(jobs.map(() => null));
    expect(await rfmOf(customers)).toEqual([...customers].sort());
  });
});

describe('RuleSetCache', () => {
  it(
    'loads a client once per TTL, reloads after it or after an invalidation, ' + 'and never caches a failed load',
    async () => {
      let now = 0;
      const loads: string[] = [];
      let fail = false;
      const cache = new RuleSetCache(
        async (clientId) => {
          loads.push(clientId);
          if (fail) throw new Error('down');
          return [{ eventType: 'sale_registered' } as never];
        },
        5_000,
        () => now,
      );
      expect(await cache.listenedTo('banban', ['sale_registered', 'stock_level'])).toEqual(
        new Set(['sale_registered']),
      );
      await cache.enabled('banban');
      expect(loads).toEqual(['banban']);
      now = 5_000;
      await cache.enabled('banban');
      cache.invalidate('banban');
      await cache.enabled('banban');
      expect(loads).toHaveLength(3);
      cache.invalidate('banban');
      fail = true;
      await expect(cache.enabled('banban')).rejects.toThrow('down');
      fail = false;
      await cache.enabled('banban');
      expect(loads).toHaveLength(5);
    },
  );
});
