import { Database, send } from '../../src/db/database';
import { masterDataRepository } from '../../src/domain/master-data.repository';
import { createTestDatabase, TestDatabase } from '../support/test-db';

let t: TestDatabase;
let db: Database;
beforeAll(async () => {
  t = await createTestDatabase({ migrate: true });
  db = t.db;
  await db.query(`create table pipeline_probe (id int primary key, note text not null)`);
  await db.query(`insert into clients (id, name, timezone) values ('probe', 'Probe', 'UTC') on conflict do nothing`);
});
afterAll(() => t.drop());

const notes = async () =>
  (await db.query<{ id: number; note: string }>(`select id, note from pipeline_probe order by id`)).rows;

describe('pipelined transactions (node-postgres pipeline mode)', () => {
  beforeEach(() => db.query(`delete from pipeline_probe`));

  it('statements sent without waiting commit with the transaction, in the order they were sent', async () => {
    await db.transaction(async (tx) => {
      tx.pipeline(`insert into pipeline_probe values ($1, $2)`, [1, 'first']);
      tx.pipeline(`update pipeline_probe set note = note || $2 where id = $1`, [1, '+second']);
      // a read behind them sees their effect: same connection, same order
      const { rows } = await tx.query<{ note: string }>(`select note from pipeline_probe where id = $1`, [1]);
      expect(rows[0].note).toBe('first+second');
    });
    expect(await notes()).toEqual([{ id: 1, note: 'first+second' }]);
  });

  it('a failing pipelined statement fails the transaction with its own error, and nothing commits', async () => {
    await db.query(`insert into pipeline_probe values (1, 'existing')`);
    const attempt = db.transaction(async (tx) => {
      tx.pipeline(`insert into pipeline_probe values ($1, $2)`, [2, 'two']);
      tx.pipeline(`insert into pipeline_probe values ($1, $2)`, [1, 'duplicate key']);
      tx.pipeline(`insert into pipeline_probe values ($1, $2)`, [3, 'three']);
      return 'returned';
    });
    // the unique violation, not "transaction is aborted"
    await expect(attempt).rejects.toMatchObject({ code: '23505' });
    expect(await notes()).toEqual([{ id: 1, note: 'existing' }]);
  });

  it('a query after a failed pipelined statement reports the statement that failed first', async () => {
    await db.query(`insert into pipeline_probe values (1, 'existing')`);
    const attempt = db.transaction(async (tx) => {
      tx.pipeline(`insert into pipeline_probe values ($1, $2)`, [1, 'duplicate key']);
      await tx.query(`select 1 from pipeline_probe where id = $1`, [1]);
    });
    await expect(attempt).rejects.toMatchObject({ code: '23505' });
  });

  it('after-commit hooks run only when the transaction commits', async () => {
    const ran: string[] = [];
    await db.transaction(async (tx) => tx.afterCommit(() => ran.push('committed')));
    await db
      .transaction(async (tx) => {
        tx.afterCommit(() => ran.push('rolled back'));
        throw new Error('no');
      })
      .catch(() => undefined);
    expect(ran).toEqual(['committed']);
  });

  it('statements not waited for leave with the next query or the COMMIT, in one write to the socket', async () => {
    const writes: number[] = [];
    await db.transaction(async (tx) => {
      type Write = (...args: any[]) => unknown;
      const socket = (tx as unknown as { client: { connection: { stream: { _write: Write; _writev: Write } } } }).client
        .connection.stream;
      const write = socket._write.bind(socket);
      const writev = socket._writev.bind(socket);
      socket._write = (chunk: Buffer, enc: string, cb: () => void) => (writes.push(1), write(chunk, enc, cb));
      socket._writev = (chunks: unknown[], cb: () => void) => (writes.push(chunks.length), writev(chunks, cb));
      tx.pipeline(`insert into pipeline_probe values ($1, $2)`, [1, 'one']);
      tx.pipeline(`insert into pipeline_probe values ($1, $2)`, [2, 'two']);
      expect(writes).toEqual([]); // held back
      await tx.query(`select 1`);
      expect(writes).toHaveLength(1); // BEGIN, both inserts and the query
      tx.pipeline(`update pipeline_probe set note = 'three' where id = $1`, [2]);
      tx.pipeline(`insert into pipeline_probe values ($1, $2)`, [3, 'three']);
    });
    expect(writes).toHaveLength(2); // the trailing statements and the COMMIT
    expect(await notes()).toEqual([
      { id: 1, note: 'one' },
      { id: 2, note: 'three' },
      { id: 3, note: 'three' },
    ]);
  });

  it('send() outside a transaction is an ordinary awaited statement', async () => {
    await send(db, `insert into pipeline_probe values ($1, $2)`, [7, 'seven']);
    expect(await notes()).toEqual([{ id: 7, note: 'seven' }]);
  });

  it('parameterised statements are named prepared statements, planned once per connection', async () => {
    const names = await db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) await tx.query(`select note from pipeline_probe where id = $1`, [i]);
      return (
        await tx.query<{ name: string; calls: number }>(
          `select name from pg_prepared_statements where statement like '%from pipeline_probe where id = $1%'`,
        )
      ).rows;
    });
    expect(names).toHaveLength(1);
    expect(names[0].name).toMatch(/^hub_/);
  });
});

describe('master data registration', () => {
  const data = {
    locations: ['LJ-9001'],
    products: [{ sku: 'SKU-MD-1', description: 'Boot' }],
    customer: { id: 'C-MD-1', name: 'Ana', email: 'ana@example.com', document: null },
  };
  const row = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rows[0];

  it(
    'registers what is new, then sends nothing for what it knows is committed; ' + 'a change is registered again',
    async () => {
      await db.transaction((tx) => masterDataRepository.register(tx, 'probe', data));
      expect(
        await row(`select description from products where client_id = 'probe' and sku = $1`, ['SKU-MD-1']),
      ).toEqual({
        description: 'Boot',
      });

      const before = db.queryCount;
      await db.transaction((tx) => masterDataRepository.register(tx, 'probe', data));
      expect(db.queryCount - before).toBe(2); // BEGIN and COMMIT only

      await db.transaction((tx) =>
        masterDataRepository.register(tx, 'probe', { ...data, customer: { ...data.customer, name: 'Ana Maria' } }),
      );
      expect(await row(`select name from customers where client_id = 'probe' and id = $1`, ['C-MD-1'])).toEqual({
        name: 'Ana Maria',
      });
    },
  );

  it('what a rolled-back transaction registered is not remembered', async () => {
    await db
      .transaction(async (tx) => {
        await masterDataRepository.register(tx, 'probe', { locations: ['LJ-9002'] });
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await db.transaction((tx) => masterDataRepository.register(tx, 'probe', { locations: ['LJ-9002'] }));
    expect(
      await row(`select count(*)::int as n from locations where client_id = 'probe' and code = $1`, ['LJ-9002']),
    ).toEqual({ n: 1 });
  });
});
