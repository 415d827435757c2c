import { Queryable } from '../db/database';

export const reactionQueueRepository = {
  /** Jobs of these pg-boss queues not finished yet: waiting (also for a retry) or running. */
  async unfinished(q: Queryable, queues: string[]): Promise<number> {
    const { rows } = await q.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job
        where name = any($1::text[]) and state in ('created', 'retry', 'active')`,
      [queues],
    );
    return rows[0].n;
  },
};
