import { Queryable } from '../db/database';

export interface RuleRow {
  id: string;
  clientId: string;
  name: string;
  eventType: string;
  conditions: Record<string, unknown>;
  actions: Array<Record<string, unknown>>;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface RuleFiringRow {
  id: string;
  ruleId: string;
  eventType: string;
  eventKey: string;
  facts: Record<string, unknown>;
  outcome: 'running' | 'succeeded' | 'failed';
  results: unknown[];
  durationMs: string | null;
  firedAt: Date;
}

const RULE_COLUMNS = `id::text, client_id as "clientId", name, event_type as "eventType", conditions, actions, enabled,
  created_at as "createdAt", updated_at as "updatedAt"`;
const FIRING_COLUMNS = `id::text, rule_id::text as "ruleId", event_type as "eventType", event_key as "eventKey",
  facts, outcome, results, duration_ms as "durationMs", fired_at as "firedAt"`;

export interface WebhookContextRow {
  clientId: string;
  ruleId: string;
  ruleName: string;
  eventType: string;
  eventKey: string;
  facts: Record<string, unknown>;
  action: Record<string, unknown> | null;
  result: { pending?: boolean; detail?: Record<string, unknown> } | null;
}

export type NewRule = Pick<RuleRow, 'name' | 'eventType' | 'conditions' | 'actions' | 'enabled'>;

export const ruleRepository = {
  async insert(q: Queryable, clientId: string, r: NewRule): Promise<RuleRow | null> {
    const { rows } = await q.query<RuleRow>(
      `insert into rules (client_id, name, event_type, conditions, actions, enabled) values ($1, $2, $3, $4, $5, $6)
       on conflict (client_id, name) do nothing returning ${RULE_COLUMNS}`,
      [clientId, r.name, r.eventType, JSON.stringify(r.conditions), JSON.stringify(r.actions), r.enabled],
    );
    return rows[0] ?? null;
  },

  async update(q: Queryable, clientId: string, id: string, r: Partial<NewRule>): Promise<RuleRow | null> {
    const { rows } = await q.query<RuleRow>(
      `update rules set name = coalesce($3, name), event_type = coalesce($4, event_type),
              conditions = coalesce($5, conditions),
              actions = coalesce($6, actions), enabled = coalesce($7, enabled), updated_at = now()
        where client_id = $1 and id = $2 returning ${RULE_COLUMNS}`,
      [
        clientId,
        id,
        r.name ?? null,
        r.eventType ?? null,
        r.conditions ? JSON.stringify(r.conditions) : null,
        r.actions ? JSON.stringify(r.actions) : null,
        r.enabled ?? null,
      ],
    );
    return rows[0] ?? null;
  },

  async find(q: Queryable, clientId: string, id: string): Promise<RuleRow | null> {
    const { rows } = await q.query<RuleRow>(`select ${RULE_COLUMNS} from rules where client_id = $1 and id = $2`, [
      clientId,
      id,
    ]);
    return rows[0] ?? null;
  },

  async list(q: Queryable, clientId: string, filter: { eventType?: string; enabled?: boolean }): Promise<RuleRow[]> {
    const { rows } = await q.query<RuleRow>(
      `select ${RULE_COLUMNS} from rules
        where client_id = $1 and ($2::text is null or event_type = $2) and ($3::boolean is null or enabled = $3)
        order by id`,
      [clientId, filter.eventType ?? null, filter.enabled ?? null],
    );
    return rows;
  },

  /** Claims the firing of a rule for an event; null when it already fired for it. */
  async claimFiring(
    q: Queryable,
    clientId: string,
    ruleId: string,
    eventType: string,
    eventKey: string,
    facts: unknown,
  ): Promise<string | null> {
    const { rows } = await q.query<{ id: string }>(
      `insert into rule_firings (client_id, rule_id, event_type, event_key, facts, outcome)
       values ($1, $2, $3, $4, $5, 'running')
       on conflict (rule_id, event_key) do nothing returning id::text`,
      [clientId, ruleId, eventType, eventKey, JSON.stringify(facts)],
    );
    return rows[0]?.id ?? null;
  },

  async finishFiring(
    q: Queryable,
    id: string,
    outcome: RuleFiringRow['outcome'],
    results: unknown[],
    durationMs: number,
  ): Promise<void> {
    await q.query(`update rule_firings set outcome = $2, results = $3, duration_ms = $4 where id = $1`, [
      id,
      outcome,
      JSON.stringify(results),
      durationMs.toFixed(3),
    ]);
  },

  async firings(
    q: Queryable,
    clientId: string,
    ruleId: string | null,
    limit: number,
    outcome: RuleFiringRow['outcome'] | null = null,
  ): Promise<RuleFiringRow[]> {
    const { rows } = await q.query<RuleFiringRow>(
      `select ${FIRING_COLUMNS} from rule_firings
        where client_id = $1 and ($2::bigint is null or rule_id = $2) and ($4::text is null or outcome = $4)
        order by fired_at desc, id desc limit $3`,
      [clientId, ruleId, limit, outcome],
    );
    return rows;
  },

  /** What an outbound webhook job sends: the firing, its rule and the action's current definition and result. */
  async webhookContext(q: Queryable, firingId: string, index: number): Promise<WebhookContextRow | null> {
    const { rows } = await q.query<WebhookContextRow>(
      `select f.client_id as "clientId", f.rule_id::text as "ruleId", r.name as "ruleName", f.event_type as "eventType",
              f.event_key as "eventKey", f.facts, r.actions -> $2::int as action, f.results -> $2::int as result
         from rule_firings f join rules r on r.id = f.rule_id
        where f.id = $1`,
      [firingId, index],
    );
    return rows[0] ?? null;
  },

  /**
   * Replaces one action's result of a firing and derives the firing's outcome from all of them:
   * RUNNING while one is pending, else SUCCEEDED when all are ok, else FAILED (the duration then
   * runs from the firing to now). Null when the firing does not exist.
   */
  async settleActionResult(
    q: Queryable,
    firingId: string,
    index: number,
    result: unknown,
  ): Promise<RuleFiringRow['outcome'] | null> {
    const { rows } = await q.query<{ outcome: RuleFiringRow['outcome'] }>(
      `with cur as (
         select id, jsonb_set(results, array[$2::text], $3::jsonb) as results from rule_firings where id = $1 for update
       ),
       judged as (
         select id, results,
                case when exists (select 1 from jsonb_array_elements(results) e
                                   where coalesce((e ->> 'pending')::boolean, false)) then 'running'
                     when exists (select 1 from jsonb_array_elements(results) e
                                   where not coalesce((e ->> 'ok')::boolean, false)) then 'failed'
                     else 'succeeded' end as outcome
           from cur
       )
       update rule_firings f
          set results = j.results, outcome = j.outcome,
              duration_ms = case when j.outcome = 'running' then f.duration_ms
                                 else round((extract(epoch from clock_timestamp() - f.fired_at) * 1000)::numeric, 3) end
         from judged j where f.id = j.id
       returning f.outcome`,
      [firingId, index, JSON.stringify(result)],
    );
    return rows[0]?.outcome ?? null;
  },

  async tagCustomer(q: Queryable, clientId: string, customerId: string, tag: string, ruleId: string): Promise<boolean> {
    const { rowCount } = await q.query(
      `insert into customer_tags (client_id, customer_id, tag, rule_id) values ($1, $2, $3, $4) on conflict do nothing`,
      [clientId, customerId, tag, ruleId],
    );
    return (rowCount ?? 0) > 0;
  },

  async customerTags(q: Queryable, clientId: string, customerId: string): Promise<string[]> {
    const { rows } = await q.query<{ tag: string }>(
      `select tag from customer_tags where client_id = $1 and customer_id = $2 order by tag`,
      [clientId, customerId],
    );
    return rows.map((r) => r.tag);
  },

  async insertTask(
    q: Queryable,
    clientId: string,
    ruleId: string,
    eventKey: string,
    title: string,
    details: unknown,
  ): Promise<string> {
    const { rows } = await q.query<{ id: string }>(
      `insert into rule_tasks (client_id, rule_id, event_key, title, details)
       values ($1, $2, $3, $4, $5) returning id::text`,
      [clientId, ruleId, eventKey, title, JSON.stringify(details)],
    );
    return rows[0].id;
  },

  async tasks(q: Queryable, clientId: string, status: string | null, limit: number) {
    const { rows } = await q.query<{
      id: string;
      ruleId: string | null;
      eventKey: string;
      title: string;
      details: unknown;
      status: string;
      createdAt: Date;
    }>(
      `select id::text, rule_id::text as "ruleId", event_key as "eventKey", title, details, status,
              created_at as "createdAt"
         from rule_tasks where client_id = $1 and ($2::text is null or status = $2)
        order by created_at desc, id desc limit $3`,
      [clientId, status, limit],
    );
    return rows;
  },
};
