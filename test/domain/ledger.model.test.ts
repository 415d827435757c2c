import fc from 'fast-check';
import { variant } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { fingerprint, ledgerMismatches, seedStock } from '../support/ledger-state';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Model-based property test of the one inventory ledger across the flows. fast-check generates
 * random sequences of valid and invalid operations; each is applied to a small in-test model and
 * sent to the real gateway (REST, pipeline, Postgres). After every step the gateway must agree with
 * the model (answer, stock per location and sku, ledger sum, transfer states, return limits), and a
 * refused step must have changed nothing.
 *
 * Every run uses its own locations, skus and ids (`…-M<run>-…`), so runs share one database.
 * To cover another flow, add its state to `Model` and its operations to `OPERATIONS`.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

interface SaleLine {
  sku: string;
  quantity: number;
  lineTotalCents: number;
}
interface ModelSale {
  id: string;
  store: string;
  lines: SaleLine[];
  totalCents: number;
  paidCents: number;
  status: 'open' | 'paid' | 'cancelled';
  returned: Map<string, number>;
}
interface ModelTransfer {
  id: string;
  origin: string;
  destination: string;
  items: Map<string, number>;
  status: 'created' | 'shipped' | 'received' | 'received_with_divergence';
  shipment?: string;
  receipt?: string;
}
interface ModelReturn {
  id: string;
  saleId: string;
  valueCents: number;
  refundedCents: number;
}

const LOCATIONS = 3; // index 0 is a distribution centre, the others are stores
const SKUS = 3;

class Model {
  readonly stock = new Map<string, number>();
  readonly sales: ModelSale[] = [];
  readonly transfers: ModelTransfer[] = [];
  readonly returns: ModelReturn[] = [];
  private seq = 0;

  constructor(readonly run: number) {}

  location(i: number): string {
    return i === 0 ? `CD-M${this.run}` : `LJ-M${this.run}-${i}`;
  }
  sku(i: number): string {
    return `SKU-M${this.run}-${i}`;
  }
  newId(prefix: string): string {
    return `${prefix}-M${this.run}-${++this.seq}`;
  }
  unknownId(prefix: string): string {
    return `${prefix}-M${this.run}-UNKNOWN`;
  }
  stockOf(location: string, sku: string): number {
    return this.stock.get(`${location}|${sku}`) ?? 0;
  }
  move(location: string, sku: string, delta: number): void {
    this.stock.set(`${location}|${sku}`, this.stockOf(location, sku) + delta);
  }
}

/** Picks an existing entity, recent ones first, or none (an unknown id) when `ref` is null or there is none yet. */
function pick<T>(list: T[], ref: number | null): T | undefined {
  return ref === null || list.length === 0 ? undefined : list[list.length - 1 - (ref % list.length)];
}

const cents = (n: number) => (n / 100).toFixed(2);

/** The value of the first n of `quantity` units sold for `totalCents`, rounded down to the cent. */
const valueOfFirst = (totalCents: number, quantity: number, n: number) => Math.floor((totalCents * n) / quantity);

// ---------------------------------------------------------------------------------------------
// Operations: each plans a request and predicts its outcome from the model
// ---------------------------------------------------------------------------------------------

interface Real {
  app: TestApp;
}

type Outcome = { status: 200 } | { status: number; code: string };

interface Plan {
  /** A webhook delivery, or a direct call for set-up operations that have no flow yet. */
  send: { flow: string; body: unknown } | { direct: () => Promise<void> };
  outcome: Outcome;
  /** Applies the effect to the model; only called when the outcome is a success. */
  apply?: () => void;
}

let deliveries = 0;
const outcomes = new Map<string, number>();
const tally = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

abstract class Operation implements fc.AsyncCommand<Model, Real> {
  /**
   * Invalid operations are generated on purpose (the gateway must refuse them), so every operation
   * runs — except one that refers to an existing entity (`ref` not null) before there is any: it is
   * skipped, which keeps the sequences about things that exist. Unknown ids come from `ref: null`.
   */
  check(m: Readonly<Model>): boolean {
    const refersTo = this.refersTo(m);
    return refersTo === null || refersTo.ref === null || refersTo.list.length > 0;
  }

  protected refersTo(_m: Readonly<Model>): { ref: number | null; list: readonly unknown[] } | null {
    return null;
  }

  abstract plan(m: Model): Plan;

  async run(m: Model, r: Real): Promise<void> {
    const plan = this.plan(m);
    const before = plan.outcome.status === 200 ? null : await fingerprint(r.app.db);
    if ('direct' in plan.send) {
      await plan.send.direct();
    } else {
      // a fresh delivery id each time, so the rules (not the pipeline's replay) decide
      const res = await postWebhook(r.app, plan.send.flow, plan.send.body, { 'webhook-id': `model-${m.run}-${++deliveries}` });
      const got = res.status === 200 ? { status: 200 } : { status: res.status, code: res.body.error?.code };
      expect({ step: this.toString(), ...got }).toEqual({ step: this.toString(), ...plan.outcome });
    }
    tally(`${this.constructor.name} ${'code' in plan.outcome ? plan.outcome.code : 'ok'}`);
    if (before) expect(await fingerprint(r.app.db)).toEqual(before);
    else plan.apply?.();
    await assertGatewayMatches(m, r.app);
  }

  abstract toString(): string;
}

class SeedStock extends Operation {
  constructor(private readonly p: { location: number; quantity: number }) {
    super();
  }
  plan(m: Model): Plan {
    const location = m.location(this.p.location);
    const skus = Array.from({ length: SKUS }, (_, i) => m.sku(i));
    return {
      // Stands in for inventory-flow's adjust_stock: a positive adjustment of every sku through the ledger.
      send: { direct: () => seedStock(t.db, skus.map((sku) => ({ location, sku, quantity: this.p.quantity }))) },
      outcome: { status: 200 },
      apply: () => skus.forEach((sku) => m.move(location, sku, this.p.quantity)),
    };
  }
  toString() {
    return `seedStock(${JSON.stringify(this.p)})`;
  }
}

class RegisterSale extends Operation {
  constructor(private readonly p: { store: number; items: Array<{ sku: number; quantity: number; priceCents: number; discountPct: number }>; wrongTotal: boolean }) {
    super();
  }
  plan(m: Model): Plan {
    const id = m.newId('V');
    const store = m.location(this.p.store);
    const lines = this.p.items.map((i) => {
      const gross = i.priceCents * i.quantity;
      const discount = Math.floor((gross * i.discountPct) / 100);
      return { sku: m.sku(i.sku), quantity: i.quantity, priceCents: i.priceCents, discount, lineTotalCents: gross - discount };
    });
    const totalCents = lines.reduce((s, l) => s + l.lineTotalCents, 0) + (this.p.wrongTotal ? 1 : 0);
    const body = variant('sales-flow', 'register_sale', {
      sale_id: id,
      store_code: store,
      customer: undefined,
      items: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unit_price: cents(l.priceCents), discount: cents(l.discount) })),
      total: cents(totalCents),
    });
    if (this.p.wrongTotal) return { send: { flow: 'sales-flow', body }, outcome: { status: 422, code: 'GW_SALE_TOTAL_MISMATCH' } };
    return {
      send: { flow: 'sales-flow', body },
      outcome: { status: 200 },
      apply: () => {
        // Banban allows sales to take stock below zero (a sale is a fact), so every sale applies.
        m.sales.push({ id, store, lines, totalCents, paidCents: 0, status: 'open', returned: new Map() });
        for (const l of lines) m.move(store, l.sku, -l.quantity);
      },
    };
  }
  toString() {
    return `registerSale(${JSON.stringify(this.p)})`;
  }
}

class CancelSale extends Operation {
  constructor(private readonly p: { sale: number | null }) {
    super();
  }
  protected override refersTo(m: Readonly<Model>) {
    return { ref: this.p.sale, list: m.sales };
  }
  plan(m: Model): Plan {
    const sale = pick(m.sales, this.p.sale);
    const body = variant('sales-flow', 'register_cancellation', { sale_id: sale?.id ?? m.unknownId('V') });
    if (!sale) return { send: { flow: 'sales-flow', body }, outcome: { status: 404, code: 'GW_SALE_NOT_FOUND' } };
    if (sale.status === 'cancelled') return { send: { flow: 'sales-flow', body }, outcome: { status: 200 } };
    return {
      send: { flow: 'sales-flow', body },
      outcome: { status: 200 },
      apply: () => {
        // The cancellation puts back what was sold minus what already came back with returns.
        sale.status = 'cancelled';
        const back = new Map(sale.returned);
        for (const l of sale.lines) {
          const already = Math.min(l.quantity, back.get(l.sku) ?? 0);
          back.set(l.sku, (back.get(l.sku) ?? 0) - already);
          m.move(sale.store, l.sku, l.quantity - already);
        }
      },
    };
  }
  toString() {
    return `cancelSale(${JSON.stringify(this.p)})`;
  }
}

class RegisterPayment extends Operation {
  constructor(private readonly p: { sale: number | null; pctOfOpen: number }) {
    super();
  }
  protected override refersTo(m: Readonly<Model>) {
    return { ref: this.p.sale, list: m.sales };
  }
  plan(m: Model): Plan {
    const sale = pick(m.sales, this.p.sale);
    const open = sale ? sale.totalCents - sale.paidCents : 0;
    const amount = Math.max(1, Math.ceil((open * this.p.pctOfOpen) / 100));
    const body = variant('sales-flow', 'register_payment', { sale_id: sale?.id ?? m.unknownId('V'), payment_id: m.newId('P'), amount: cents(amount) });
    const send = { flow: 'sales-flow', body };
    if (!sale) return { send, outcome: { status: 409, code: 'GW_PREDECESSOR_MISSING' } };
    if (sale.status === 'cancelled') return { send, outcome: { status: 409, code: 'GW_INVALID_STATE' } };
    if (amount > open) return { send, outcome: { status: 422, code: 'GW_OVERPAYMENT' } };
    return {
      send,
      outcome: { status: 200 },
      apply: () => {
        sale.paidCents += amount;
        sale.status = sale.paidCents === sale.totalCents ? 'paid' : 'open';
      },
    };
  }
  toString() {
    return `registerPayment(${JSON.stringify(this.p)})`;
  }
}

class CreateTransfer extends Operation {
  /** destinationOffset 0 sends the transfer to its own origin (refused); 1 and 2 pick another location. */
  constructor(private readonly p: { origin: number; destinationOffset: number; items: Array<{ sku: number; quantity: number }> }) {
    super();
  }
  plan(m: Model): Plan {
    const id = m.newId('TR');
    const origin = m.location(this.p.origin);
    const destination = m.location((this.p.origin + this.p.destinationOffset) % LOCATIONS);
    const items = new Map(this.p.items.map((i) => [m.sku(i.sku), i.quantity]));
    const body = variant('transfer-flow', 'create_transfer', {
      transfer_id: id,
      origin_code: origin,
      destination_code: destination,
      items: [...items].map(([sku, quantity]) => ({ sku, quantity })),
    });
    const send = { flow: 'transfer-flow', body };
    if (origin === destination) return { send, outcome: { status: 422, code: 'GW_BUSINESS_RULE' } };
    return { send, outcome: { status: 200 }, apply: () => m.transfers.push({ id, origin, destination, items, status: 'created' }) };
  }
  toString() {
    return `createTransfer(${JSON.stringify(this.p)})`;
  }
}

class ShipTransfer extends Operation {
  constructor(private readonly p: { transfer: number | null; tracking: number }) {
    super();
  }
  protected override refersTo(m: Readonly<Model>) {
    return { ref: this.p.transfer, list: m.transfers };
  }
  plan(m: Model): Plan {
    const tr = pick(m.transfers, this.p.transfer);
    const tracking = `TRK${this.p.tracking}`;
    const body = variant('transfer-flow', 'ship_products', { transfer_id: tr?.id ?? m.unknownId('TR'), tracking_code: tracking });
    const send = { flow: 'transfer-flow', body };
    if (!tr) return { send, outcome: { status: 409, code: 'GW_PREDECESSOR_MISSING' } };
    if (tr.status !== 'created') {
      // the same shipment again is a redelivery; another one is an invalid transition
      return tr.shipment === tracking ? { send, outcome: { status: 200 } } : { send, outcome: { status: 409, code: 'GW_INVALID_STATE' } };
    }
    if ([...tr.items].some(([sku, q]) => m.stockOf(tr.origin, sku) < q)) return { send, outcome: { status: 422, code: 'GW_INSUFFICIENT_STOCK' } };
    return {
      send,
      outcome: { status: 200 },
      apply: () => {
        tr.status = 'shipped';
        tr.shipment = tracking;
        for (const [sku, q] of tr.items) m.move(tr.origin, sku, -q);
      },
    };
  }
  toString() {
    return `shipTransfer(${JSON.stringify(this.p)})`;
  }
}

class ReceiveTransfer extends Operation {
  constructor(private readonly p: { transfer: number | null; deltas: number[]; extraSku: number | null }) {
    super();
  }
  protected override refersTo(m: Readonly<Model>) {
    return { ref: this.p.transfer, list: m.transfers };
  }
  plan(m: Model): Plan {
    const tr = pick(m.transfers, this.p.transfer);
    const arrived = new Map<string, number>();
    [...(tr?.items ?? new Map([[m.sku(0), 1]]))].forEach(([sku, q], i) => arrived.set(sku, Math.max(0, q + (this.p.deltas[i] ?? 0))));
    if (this.p.extraSku !== null && !arrived.has(m.sku(this.p.extraSku))) arrived.set(m.sku(this.p.extraSku), 1);
    const items = [...arrived].map(([sku, quantity]) => ({ sku, quantity }));
    const receipt = JSON.stringify([...items].sort((a, b) => a.sku.localeCompare(b.sku)));
    const body = variant('transfer-flow', 'receive_at_store', { transfer_id: tr?.id ?? m.unknownId('TR'), items });
    const send = { flow: 'transfer-flow', body };
    if (!tr) return { send, outcome: { status: 409, code: 'GW_PREDECESSOR_MISSING' } };
    if (tr.status === 'created') return { send, outcome: { status: 409, code: 'GW_INVALID_STATE' } };
    if (tr.status !== 'shipped') return tr.receipt === receipt ? { send, outcome: { status: 200 } } : { send, outcome: { status: 409, code: 'GW_INVALID_STATE' } };
    const exact = arrived.size === tr.items.size && [...tr.items].every(([sku, q]) => arrived.get(sku) === q);
    return {
      send,
      outcome: { status: 200 },
      apply: () => {
        tr.status = exact ? 'received' : 'received_with_divergence';
        tr.receipt = receipt;
        for (const [sku, q] of arrived) m.move(tr.destination, sku, q);
      },
    };
  }
  toString() {
    return `receiveTransfer(${JSON.stringify(this.p)})`;
  }
}

class RegisterReturn extends Operation {
  constructor(private readonly p: { sale: number | null; store: number; items: Array<{ pick: number; quantity: number }> }) {
    super();
  }
  protected override refersTo(m: Readonly<Model>) {
    return { ref: this.p.sale, list: m.sales };
  }
  plan(m: Model): Plan {
    const sale = pick(m.sales, this.p.sale);
    const store = m.location(this.p.store);
    const soldSkus = sale ? [...new Set(sale.lines.map((l) => l.sku))] : [];
    // mostly skus of the sale; every fifth pick is any sku (maybe one the sale never had)
    const items = this.p.items.map((i) => ({
      sku: i.pick % 5 === 4 || soldSkus.length === 0 ? m.sku(i.pick % SKUS) : soldSkus[i.pick % soldSkus.length],
      quantity: i.quantity,
    }));
    const id = m.newId('DV');
    const body = variant('returns-flow', 'register_return', { return_id: id, sale_id: sale?.id ?? m.unknownId('V'), store_code: store, items });
    const send = { flow: 'returns-flow', body };
    if (!sale) return { send, outcome: { status: 409, code: 'GW_PREDECESSOR_MISSING' } };
    if (sale.status === 'cancelled') return { send, outcome: { status: 409, code: 'GW_INVALID_STATE' } };
    const sold = (sku: string) => sale.lines.filter((l) => l.sku === sku).reduce((s, l) => ({ q: s.q + l.quantity, c: s.c + l.lineTotalCents }), { q: 0, c: 0 });
    const requested = new Map<string, number>();
    for (const i of items) requested.set(i.sku, (requested.get(i.sku) ?? 0) + i.quantity);
    if ([...requested].some(([sku, q]) => (sale.returned.get(sku) ?? 0) + q > sold(sku).q)) {
      return { send, outcome: { status: 422, code: 'GW_RETURN_EXCEEDS_SOLD' } };
    }
    return {
      send,
      outcome: { status: 200 },
      apply: () => {
        let valueCents = 0;
        for (const i of items) {
          const s = sold(i.sku);
          const before = sale.returned.get(i.sku) ?? 0;
          valueCents += valueOfFirst(s.c, s.q, before + i.quantity) - valueOfFirst(s.c, s.q, before);
          sale.returned.set(i.sku, before + i.quantity);
          m.move(store, i.sku, i.quantity);
        }
        m.returns.push({ id, saleId: sale.id, valueCents, refundedCents: 0 });
      },
    };
  }
  toString() {
    return `registerReturn(${JSON.stringify(this.p)})`;
  }
}

class ProcessRefund extends Operation {
  constructor(private readonly p: { ret: number | null; pctOfOpen: number }) {
    super();
  }
  protected override refersTo(m: Readonly<Model>) {
    return { ref: this.p.ret, list: m.returns };
  }
  plan(m: Model): Plan {
    const ret = pick(m.returns, this.p.ret);
    const open = ret ? ret.valueCents - ret.refundedCents : 0;
    const amount = Math.max(1, Math.ceil((open * this.p.pctOfOpen) / 100));
    const body = variant('returns-flow', 'process_refund', { return_id: ret?.id ?? m.unknownId('DV'), refund_id: m.newId('RF'), amount: cents(amount) });
    const send = { flow: 'returns-flow', body };
    if (!ret) return { send, outcome: { status: 409, code: 'GW_PREDECESSOR_MISSING' } };
    if (amount > open) return { send, outcome: { status: 422, code: 'GW_REFUND_EXCEEDS_VALUE' } };
    return { send, outcome: { status: 200 }, apply: () => void (ret.refundedCents += amount) };
  }
  toString() {
    return `processRefund(${JSON.stringify(this.p)})`;
  }
}

const ref = fc.option(fc.constantFrom(0, 0, 0, 1, 2), { freq: 8 }); // mostly the latest, now and then an id nobody registered
const mostlyTheCentre = fc.constantFrom(0, 0, 0, 0, 1, 2); // goods mostly leave the distribution centre
const store = fc.integer({ min: 1, max: LOCATIONS - 1 });
const sku = fc.integer({ min: 0, max: SKUS - 1 });

/**
 * The operation table, with how often each is drawn relative to the others. Purchase and inventory
 * operations join here as more generators.
 */
const OPERATIONS: Record<string, { weight: number; arbitrary: fc.Arbitrary<Operation> }> = {
  seedStock: { weight: 1, arbitrary: fc.record({ location: mostlyTheCentre, quantity: fc.integer({ min: 2, max: 8 }) }).map((p) => new SeedStock(p)) },
  registerSale: { weight: 3, arbitrary: fc
    .record({
      store,
      items: fc.array(fc.record({ sku, quantity: fc.integer({ min: 1, max: 3 }), priceCents: fc.integer({ min: 1, max: 5_000 }), discountPct: fc.integer({ min: 0, max: 100 }) }), { minLength: 1, maxLength: 3 }),
      wrongTotal: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    })
    .map((p) => new RegisterSale(p)) },
  cancelSale: { weight: 1, arbitrary: fc.record({ sale: ref }).map((p) => new CancelSale(p)) },
  registerPayment: { weight: 1, arbitrary: fc.record({ sale: ref, pctOfOpen: fc.integer({ min: 1, max: 130 }) }).map((p) => new RegisterPayment(p)) },
  createTransfer: { weight: 2, arbitrary: fc
    .record({ origin: mostlyTheCentre, destinationOffset: fc.constantFrom(0, 1, 1, 1, 2, 2, 2), items: fc.uniqueArray(fc.record({ sku, quantity: fc.integer({ min: 1, max: 4 }) }), { selector: (i) => i.sku, minLength: 1, maxLength: SKUS }) })
    .map((p) => new CreateTransfer(p)) },
  shipTransfer: { weight: 4, arbitrary: fc.record({ transfer: ref, tracking: fc.integer({ min: 0, max: 1 }) }).map((p) => new ShipTransfer(p)) },
  receiveTransfer: { weight: 4, arbitrary: fc
    .record({ transfer: ref, deltas: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: SKUS, maxLength: SKUS }), extraSku: fc.option(sku, { freq: 4 }) })
    .map((p) => new ReceiveTransfer(p)) },
  registerReturn: { weight: 3, arbitrary: fc
    .record({ sale: ref, store, items: fc.array(fc.record({ pick: fc.nat({ max: 9 }), quantity: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 2 }) })
    .map((p) => new RegisterReturn(p)) },
  processRefund: { weight: 2, arbitrary: fc.record({ ret: ref, pctOfOpen: fc.integer({ min: 1, max: 130 }) }).map((p) => new ProcessRefund(p)) },
};

// ---------------------------------------------------------------------------------------------
// The gateway must agree with the model after every step
// ---------------------------------------------------------------------------------------------

async function assertGatewayMatches(m: Model, app: TestApp): Promise<void> {
  const like = `%-M${m.run}-%`;
  const db = app.db;
  expect(await ledgerMismatches(db, like)).toEqual([]);

  const stock = await db.query<{ location_code: string; sku: string; quantity: number }>(
    `select location_code, sku, quantity from stock_levels where client_id = 'banban' and sku like $1 and quantity <> 0`,
    [like],
  );
  const expectedStock = Object.fromEntries([...m.stock].filter(([, q]) => q !== 0).sort());
  expect(Object.fromEntries(stock.rows.map((r) => [`${r.location_code}|${r.sku}`, r.quantity]).sort())).toEqual(expectedStock);

  const transfers = await db.query<{ id: string; status: string }>(`select id, status from transfers where client_id = 'banban' and id like $1 order by id`, [like]);
  expect(Object.fromEntries(transfers.rows.map((r) => [r.id, r.status]))).toEqual(Object.fromEntries(m.transfers.map((tr) => [tr.id, tr.status])));

  const sales = await db.query<{ id: string; status: string; paid: string }>(
    `select id, status, paid_amount::text as paid from sales where client_id = 'banban' and id like $1`,
    [like],
  );
  expect(Object.fromEntries(sales.rows.map((r) => [r.id, `${r.status} ${r.paid}`]))).toEqual(
    Object.fromEntries(m.sales.map((s) => [s.id, `${s.status} ${cents(s.paidCents)}`])),
  );

  const returned = await db.query<{ sale_id: string; sku: string; quantity: number }>(
    `select r.sale_id, ri.sku, sum(ri.quantity)::int as quantity from returns r join return_items ri on ri.client_id = r.client_id and ri.return_id = r.id
      where r.client_id = 'banban' and r.id like $1 group by 1, 2`,
    [like],
  );
  const expectedReturned = m.sales.flatMap((s) => [...s.returned].map(([sku, q]) => [`${s.id}|${sku}`, q] as const));
  expect(Object.fromEntries(returned.rows.map((r) => [`${r.sale_id}|${r.sku}`, r.quantity]))).toEqual(Object.fromEntries(expectedReturned));
  for (const s of m.sales) {
    for (const [sku, q] of s.returned) expect(q).toBeLessThanOrEqual(s.lines.filter((l) => l.sku === sku).reduce((n, l) => n + l.quantity, 0));
  }

  const returns = await db.query<{ id: string; value: string; refunded: string }>(
    `select id, value::text, refunded_amount::text as refunded from returns where client_id = 'banban' and id like $1`,
    [like],
  );
  expect(Object.fromEntries(returns.rows.map((r) => [r.id, `${r.value} ${r.refunded}`]))).toEqual(
    Object.fromEntries(m.returns.map((r) => [r.id, `${cents(r.valueCents)} ${cents(r.refundedCents)}`])),
  );
}

/** fast-check draws commands uniformly from its list: an operation of weight w appears w times. */
function weighted(table: typeof OPERATIONS): Array<fc.Arbitrary<Operation>> {
  return Object.values(table).flatMap(({ weight, arbitrary }) => Array.from({ length: weight }, () => arbitrary));
}

let runs = 0;

/** Each run starts with stock at the distribution centre (through the ledger), so shipments can happen. */
async function seededModel(run: number): Promise<Model> {
  const m = new Model(run);
  await new SeedStock({ location: 0, quantity: 10 }).run(m, { app: t });
  return m;
}

it('random sequences of operations keep the ledger, stock, transfers and returns consistent with the model', async () => {
  await fc.assert(
    fc.asyncProperty(fc.commands(weighted(OPERATIONS), { maxCommands: 15, size: 'max' }), async (commands) => {
      await fc.asyncModelRun(async () => ({ model: await seededModel(++runs), real: { app: t } }), commands);
    }),
    { numRuns: 35 },
  );
  expect(await ledgerMismatches(t.db)).toEqual([]);
  // MODEL_STATS=1 prints how often each operation succeeded or was refused (to tune the weights)
  if (process.env.MODEL_STATS) console.log(Object.fromEntries([...outcomes].sort()));
});
