import { Database, merged, Queryable, Transaction } from '../../src/db/database';
import { GroupCommit } from '../../src/db/group-commit';
import { createTestDatabase, TestDatabase } from '../support/test-db';

let t: TestDatabase;
let db: Database;
beforeAll(async () => {
  t = await createTestDatabase({ migrate: false });
  db = t.db;
  await db.query(`create table units (id int primary key, note text not null)`);
});
afterAll(() => t.drop());

const stored = async () => (await db.query<{ id: number }>(`select id from units order by id`)).rows.map((r) => r.id);

describe("group commit (a lane's waiting units in one transaction)", () => {
  beforeEach(() => db.query(`delete from units`));

  const unit = (group: GroupCommit, i: number, failing?: number) =>
    group.run('lane-a', async (tx) => {
      await tx.query(`insert into units values ($1, $2)`, [i, 'unit']);
      if (i === failing) throw new Error(`unit ${i} breaks a rule`);
      tx.pipeline(`update units set note = note || '+' where id = $1`, [i]);
      const { rows } = await tx.query<{ xid: string }>(`select txid_current()::text as xid`);
      return rows[0].xid;
    });

  it('units of one lane arriving together share transactions (one COMMIT for several)', async () => {
    const group = new GroupCommit(db, 32);
    const xids = await Promise.all(Array.from({ length: 40 }, (_, i) => unit(group, i)));
    expect(new Set(xids).size).toBeLessThan(40); // the first runs alone, the others wait and go together
    expect(await stored()).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from units where note = 'unit+'`);
    expect(rows[0].n).toBe(40);
  });

  it(
    "a batch starts once the lane's previous batch has done its work (at its COMMIT), " +
      'with all the units waiting by then',
    async () => {
      const group = new GroupCommit(db, 32);
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const xidOf = async (tx: Transaction) =>
        (await tx.query<{ xid: string }>(`select txid_current()::text as xid`)).rows[0].xid;
      const started: number[] = [];
      const first = group.run('lane-g', async (tx) => {
        await gate;
        return xidOf(tx);
      });
      const later = [1, 2, 3].map((i) =>
        group.run('lane-g', async (tx) => {
          started.push(i);
          return xidOf(tx);
        }),
      );
      await new Promise((r) => setTimeout(r, 50));
      expect(started).toEqual([]); // the first batch is still working: no second batch yet
      open();
      const [x0, ...xs] = await Promise.all([first, ...later]);
      expect(started).toEqual([1, 2, 3]);
      expect(new Set(xs).size).toBe(1); // the three went together, in one transaction
      expect(xs[0]).not.toBe(x0);
    },
  );

  it('a failing unit fails alone: its batch is rolled back and its units run again one by one', async () => {
    const group = new GroupCommit(db, 32);
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => unit(group, i, 17)));
    expect(results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []))).toEqual([17]);
    expect((results[17] as PromiseRejectedResult).reason.message).toBe('unit 17 breaks a rule');
    expect(await stored()).toEqual(Array.from({ length: 40 }, (_, i) => i).filter((i) => i !== 17));
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from units where note = 'unit+'`);
    expect(rows[0].n).toBe(39);
  });

  it('a unit whose pipelined statement fails is undone alone, with that statement’s error', async () => {
    const group = new GroupCommit(db, 32);
    await db.query(`insert into units values (1000, 'taken')`);
    const results = await Promise.allSettled(
      [1, 1000, 2].map((id) =>
        group.run('lane-b', async (tx) => {
          tx.pipeline(`insert into units values ($1, 'new')`, [id]);
          return id;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    expect(await stored()).toEqual([1, 2, 1000]);
  });

  it('different lanes and lane-less units do not wait for each other', async () => {
    const group = new GroupCommit(db, 32);
    let releaseA!: () => void;
    const blockA = new Promise<void>((r) => (releaseA = r));
    const a = group.run('lane-a', async (tx) => {
      await tx.query(`insert into units values (1, 'a')`);
      await blockA;
    });
    // lane-b and a lane-less unit finish while lane-a's batch is still open
    await group.run('lane-b', (tx) => tx.query(`insert into units values (2, 'b')`));
    await group.run(null, (tx) => tx.query(`insert into units values (3, 'none')`));
    expect(await stored()).toEqual([2, 3]);
    releaseA();
    await a;
    expect(await stored()).toEqual([1, 2, 3]);
  });

  it('with a batch size of 1 every unit is its own transaction', async () => {
    const group = new GroupCommit(db, 1);
    const xids = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        group.run('lane-a', async (tx) => {
          await tx.query(`insert into units values ($1, 'x')`, [i]);
          return (await tx.query<{ xid: string }>(`select txid_current()::text as xid`)).rows[0].xid;
        }),
      ),
    );
    expect(new Set(xids).size).toBe(5);
  });

  describe('merged statements (Transaction.merge)', () => {
    /** Inserts the units' rows in one statement; each unit gets its own row back. */
    const insertMerged = (statements: number[]) => (q: Queryable, ids: number[]) => {
      statements.push(ids.length);
      return q
        .query<{ id: number; note: string }>(
          `insert into units select id, 'merged-' || id from unnest($1::int[]) as t(id) returning id, note`,
          [ids],
        )
        .then(({ rows }) => ids.map((id) => rows.find((r) => r.id === id)!.note));
    };

    it(
      'the same statement of units sharing a transaction runs once for all, ' + 'each unit getting its own result',
      async () => {
        const group = new GroupCommit(db, 32);
        const statements: number[] = [];
        const notes = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            group.run('lane-m', (tx) => merged(tx, 'units.insert', i, insertMerged(statements))),
          ),
        );
        expect(notes).toEqual(Array.from({ length: 40 }, (_, i) => `merged-${i}`));
        expect(statements.reduce((a, b) => a + b, 0)).toBe(40);
        expect(statements.length).toBeLessThan(40); // batches of waiting units shared one statement
        expect(Math.max(...statements)).toBeGreaterThan(1);
        expect(await stored()).toEqual(Array.from({ length: 40 }, (_, i) => i));
      },
    );

    it(
      'a merged statement is sent once every running unit has asked for it, ' + 'before the COMMIT, awaited or not',
      async () => {
        const group = new GroupCommit(db, 32);
        const statements: number[] = [];
        let open!: () => void;
        const gate = new Promise<void>((r) => (open = r));
        const holder = group.run('lane-n', () => gate); // the lane's batch in flight
        // Waiting, these three go together; two ask for the merged insert without awaiting it, one asks nothing.
        const units = [3003, 3004, 3005].map((id) =>
          group.run('lane-n', async (tx) => {
            if (id !== 3005) void merged(tx, 'units.insert', id, insertMerged(statements));
            return id;
          }),
        );
        open();
        expect(await Promise.all([holder, ...units])).toEqual([undefined, 3003, 3004, 3005]);
        expect(statements).toEqual([2]); // one statement for both, in their transaction
        expect(await stored()).toEqual([3003, 3004]);
      },
    );

    it('a unit that finishes early does not hold back the merged statement the others wait at', async () => {
      const group = new GroupCommit(db, 32);
      const statements: number[] = [];
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const holder = group.run('lane-o', () => gate);
      let sentBeforeTurnEnded = false;
      const units = [4004, 4005, 4006].map((id) =>
        group.run('lane-o', async (tx) => {
          if (id === 4006) return id; // e.g. a duplicate: nothing to write
          // Checked at the end of this turn of the event loop, which is where merges used to wait.
          if (id === 4004) setImmediate(() => (sentBeforeTurnEnded = statements.length > 0));
          return merged(tx, 'units.insert', id, insertMerged(statements));
        }),
      );
      open();
      expect(await Promise.all([holder, ...units])).toEqual([undefined, 'merged-4004', 'merged-4005', 4006]);
      expect(statements).toEqual([2]);
      expect(sentBeforeTurnEnded).toBe(true);
      expect(await stored()).toEqual([4004, 4005]);
    });

    it('outside a shared transaction the item runs alone', async () => {
      const statements: number[] = [];
      expect(await merged(db, 'units.insert', 7, insertMerged(statements))).toBe('merged-7');
      expect(await db.transaction((tx) => merged(tx, 'units.insert', 8, insertMerged(statements)))).toBe('merged-8');
      expect(statements).toEqual([1, 1]);
    });

    it(
      'a merged statement that fails fails its batch; ' + 'the units run again alone and only the bad one fails',
      async () => {
        const group = new GroupCommit(db, 32);
        await db.query(`insert into units values (1017, 'taken')`);
        const statements: number[] = [];
        const results = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) =>
            group.run('lane-m', (tx) => merged(tx, 'units.insert', 1000 + i, insertMerged(statements))),
          ),
        );
        expect(results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []))).toEqual([17]);
        expect((results[17] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
        expect(await stored()).toEqual(Array.from({ length: 30 }, (_, i) => 1000 + i));
        expect(statements.some((n) => n > 1)).toBe(true); // the failing statement was a merged one
      },
    );
  });
});
