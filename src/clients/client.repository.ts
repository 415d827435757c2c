import { Queryable } from '../db/database';
import { ClientModule } from './client-module';

export const clientRepository = {
  /** Creates missing clients from their modules; returns the ids that were new. */
  async ensure(q: Queryable, modules: ClientModule[]): Promise<string[]> {
    const { rows } = await q.query<{ id: string }>(
      `insert into clients (id, name, timezone, settings)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])
       on conflict (id) do nothing returning id`,
      [
        modules.map((m) => m.id),
        modules.map((m) => m.name),
        modules.map((m) => m.timezone),
        modules.map((m) => JSON.stringify(m.settings)),
      ],
    );
    return rows.map((r) => r.id);
  },
};
