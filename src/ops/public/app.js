// Ops console: queries and subscriptions against /graphql with an ops JWT. No build step; graphqlWs
// and uPlot are the vendored browser builds loaded before this module.
const $ = (sel) => document.querySelector(sel);
const lower = (s) => (s ?? '').toLowerCase();
const localTime = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const pct = (r) => `${(r * 100).toFixed(1)}%`;
const MAX_LIVE = 50;

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function pill(text) {
  const span = document.createElement('span');
  span.className = 'pill';
  span.dataset.state = lower(text);
  span.textContent = lower(text);
  return span;
}

function pillCell(text, cls) {
  const td = cell('', cls);
  td.append(pill(text));
  return td;
}

function hashParams() {
  return new URLSearchParams(location.hash.replace(/^#/, ''));
}

function claimsOf(token) {
  try {
    const json = atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json);
    return { ...claims.app_metadata, ...claims };
  } catch {
    return {};
  }
}

class Console {
  constructor(token, client) {
    this.token = token;
    this.client = client;
    this.flows = [];
    this.timers = new Map();
  }

  async gql(query, variables = {}) {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
    if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
    return body.data;
  }

  /** Runs `fn` once after `ms` of quiet (bursts of events cause one refresh). */
  debounce(key, ms, fn) {
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => fn().catch((err) => console.error(key, err)), ms),
    );
  }

  async start() {
    $('#client-name').textContent = this.client;
    await this.loadHealth();
    $('#console').hidden = false;
    this.subscribe();
    await Promise.all([this.loadFailures(), this.loadChart()]);
    setInterval(() => this.loadChart().catch((err) => console.error('chart', err)), 30_000);
  }

  async loadHealth() {
    const data = await this.gql(
      `query($c: String!) {
        flowHealth(client: $c) {
          status checkedAt flows { flow status circuit lastSuccess errorRate queueSize eventsInWindow }
        }
        circuitBreakers(client: $c) { client name scope state failures rejections lastTransitionAt }
      }`,
      { c: this.client },
    );
    const health = data.flowHealth;
    this.flows = health.flows.map((f) => f.flow);
    const status = $('#client-status');
    status.dataset.state = lower(health.status);
    status.textContent = lower(health.status);
    $('#flows tbody').replaceChildren(
      ...health.flows.map((f) => {
        const tr = document.createElement('tr');
        tr.dataset.flow = f.flow;
        tr.append(
          cell(f.flow),
          pillCell(f.status, 'status'),
          pillCell(f.circuit, 'circuit'),
          cell(localTime(f.lastSuccess), 'last-success'),
          cell(pct(f.errorRate), 'error-rate'),
          cell(String(f.queueSize), 'queue'),
          cell(this.dead?.get(f.flow) ?? '…', 'dead'),
          cell(String(f.eventsInWindow), 'events'),
        );
        return tr;
      }),
    );
    const breakers = data.circuitBreakers.filter((b) => b.client === this.client);
    $('#breakers tbody').replaceChildren(
      ...breakers.map((b) => {
        const tr = document.createElement('tr');
        tr.dataset.breaker = b.name;
        tr.append(
          cell(b.name),
          cell(b.scope),
          pillCell(b.state, 'state'),
          cell(String(b.failures)),
          cell(String(b.rejections)),
          cell(localTime(b.lastTransitionAt)),
        );
        return tr;
      }),
    );
  }

  async loadFailures() {
    const page = `edges { node { id flow action status attempts receivedAt lastErrorCode error } }`;
    const data = await this.gql(
      `query($c: String!) {
        failed: webhookEvents(client: $c, first: 20, filter: { status: FAILED }) { ${page} }
        dead: webhookEvents(client: $c, first: 20, filter: { status: DEAD }) { ${page} }
      }`,
      { c: this.client },
    );
    await this.loadDeadCounts();
    const events = [...data.failed.edges, ...data.dead.edges]
      .map((e) => e.node)
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
      .slice(0, 30);
    $('#failures tbody').replaceChildren(
      ...events.map((e) => {
        const tr = document.createElement('tr');
        tr.dataset.event = e.id;
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = 'Replay';
        button.className = 'replay';
        button.addEventListener('click', () => this.replay(e.id, button));
        const error = e.error
          ? `${e.error.code ?? e.lastErrorCode ?? ''} ${e.error.message ?? ''}`.trim()
          : (e.lastErrorCode ?? '');
        const action = cell('');
        action.append(button);
        tr.append(
          cell(localTime(e.receivedAt)),
          cell(e.flow),
          cell(e.action),
          pillCell(e.status, 'status'),
          cell(String(e.attempts)),
          cell(error, 'error'),
          action,
        );
        return tr;
      }),
    );
  }

  /** Dead letters per flow (pages of up to 200; "200+" beyond), shown in the flows table. */
  async loadDeadCounts() {
    if (!this.flows.length) return;
    const fields = this.flows
      .map(
        (f, i) =>
          `f${i}: webhookEvents(client: $c, first: 200, filter: { status: DEAD, flow: ${JSON.stringify(f)} }) {
            edges { cursor } pageInfo { hasNextPage } }`,
      )
      .join('\n');
    const data = await this.gql(`query($c: String!) { ${fields} }`, { c: this.client });
    this.dead = new Map(
      this.flows.map((f, i) => [f, `${data[`f${i}`].edges.length}${data[`f${i}`].pageInfo.hasNextPage ? '+' : ''}`]),
    );
    for (const [flow, n] of this.dead) {
      const td = document.querySelector(`#flows tr[data-flow="${CSS.escape(flow)}"] .dead`);
      if (td) td.textContent = n;
    }
  }

  async replay(id, button) {
    button.disabled = true;
    try {
      const data = await this.gql(
        `mutation($ids: [ID!]!, $c: String!) {
          replayWebhookEvents(filter: { ids: $ids, client: $c }) { requeued eventIds skipped } }`,
        { ids: [id], c: this.client },
      );
      const r = data.replayWebhookEvents;
      $('#replay-result').textContent = r.requeued
        ? `Replayed ${r.eventIds.join(', ')}`
        : r.skipped.length
          ? `Skipped ${id}: a newer delivery was accepted`
          : `Nothing to replay for ${id}`;
      await this.loadFailures();
    } catch (err) {
      $('#replay-result').textContent = `Replay failed: ${err.message}`;
      button.disabled = false;
    }
  }

  async loadChart() {
    if (!this.flows.length) return;
    const to = new Date();
    const from = new Date(to.getTime() - 3600_000);
    const fields = this.flows
      .map(
        (f, i) =>
          `f${i}: integrationMetricsSeries(
            client: $c, flow: ${JSON.stringify(f)}, bucket: MINUTE, from: $from, to: $to
          ) { bucketStart count errors p95Ms }`,
      )
      .join('\n');
    const data = await this.gql(`query($c: String, $from: DateTime!, $to: DateTime!) { ${fields} }`, {
      c: this.client,
      from: from.toISOString(),
      to: to.toISOString(),
    });
    // One slot per minute of the hour; flows summed (p95: the worst flow of the minute).
    const start = Math.floor(from.getTime() / 60_000) * 60;
    const minutes = 61;
    const xs = Array.from({ length: minutes }, (_, i) => start + i * 60);
    const count = new Array(minutes).fill(0);
    const errors = new Array(minutes).fill(0);
    const p95 = new Array(minutes).fill(null);
    for (const series of Object.values(data)) {
      for (const p of series) {
        const i = Math.round((Date.parse(p.bucketStart) / 1000 - start) / 60);
        if (i < 0 || i >= minutes) continue;
        count[i] += p.count;
        errors[i] += p.errors;
        if (p.p95Ms !== null) p95[i] = Math.max(p95[i] ?? 0, p.p95Ms);
      }
    }
    const rows = [xs, count, errors, p95];
    if (this.chart) return this.chart.setData(rows);
    const box = $('#chart');
    this.chart = new uPlot(
      {
        width: Math.max(box.clientWidth, 600),
        height: 260,
        scales: { x: { time: true }, ms: { auto: true } },
        series: [
          {},
          { label: 'deliveries/min', stroke: '#2563eb', width: 2 },
          { label: 'errors/min', stroke: '#dc2626', width: 2 },
          { label: 'p95 ms', stroke: '#059669', width: 1, dash: [4, 4], scale: 'ms', spanGaps: true },
        ],
        axes: [{}, { label: 'per minute' }, { side: 1, scale: 'ms', label: 'p95 ms', grid: { show: false } }],
      },
      rows,
      box,
    );
  }

  subscribe() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    const indicator = $('#connection');
    const set = (state) => {
      indicator.dataset.state = state;
      indicator.textContent = state;
    };
    this.ws = graphqlWs.createClient({
      url,
      connectionParams: { authorization: `Bearer ${this.token}` },
      retryAttempts: Infinity,
      shouldRetry: () => true,
      on: { connected: () => set('online'), closed: () => set('offline') },
    });
    const vars = { c: this.client };
    const sub = (query, onData) =>
      this.ws.subscribe(
        { query, variables: vars },
        {
          next: ({ data, errors }) => (errors ? console.error(errors) : onData(data)),
          error: (err) => console.error(err),
          complete: () => {},
        },
      );

    sub(
      `subscription($c: String!) { flowStatusChanged(client: $c) { flow status previous at } }`,
      ({ flowStatusChanged: e }) => {
        const row = document.querySelector(`#flows tr[data-flow="${CSS.escape(e.flow)}"] .status`);
        if (row) row.replaceChildren(pill(e.status));
        this.debounce('health', 300, () => this.loadHealth());
      },
    );
    sub(
      `subscription($c: String!) { circuitStateChanged(client: $c) { name state previous at } }`,
      ({ circuitStateChanged: e }) => {
        const row = document.querySelector(`#breakers tr[data-breaker="${CSS.escape(e.name)}"] .state`);
        if (row) row.replaceChildren(pill(e.state));
        this.debounce('health', 300, () => this.loadHealth());
      },
    );
    sub(
      `subscription($c: String!) { webhookProcessed(client: $c) { id flow action outcome httpStatus durationMs at } }`,
      ({ webhookProcessed: e }) => {
        const li = document.createElement('li');
        li.dataset.event = e.id;
        li.dataset.outcome = lower(e.outcome);
        li.className = 'fresh';
        li.textContent =
          `${new Date(e.at).toLocaleTimeString()} ${e.flow}/${e.action} ${lower(e.outcome)} ` +
          `${e.httpStatus} ${Math.round(e.durationMs)} ms ${e.id}`;
        const list = $('#live');
        list.prepend(li);
        setTimeout(() => li.classList.remove('fresh'), 2000);
        while (list.children.length > MAX_LIVE) list.lastElementChild.remove();
        this.debounce('health', 1000, () => this.loadHealth());
        this.debounce('chart', 5000, () => this.loadChart());
        if (['FAILED', 'DEAD', 'PROCESSED'].includes(e.outcome))
          this.debounce('failures', 500, () => this.loadFailures());
      },
    );
  }
}

function boot() {
  const params = hashParams();
  const token = params.get('token') ?? sessionStorage.getItem('ops-token');
  if (!token) {
    const form = $('#login');
    form.hidden = false;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      sessionStorage.setItem('ops-token', $('#token').value.trim());
      location.reload();
    });
    return;
  }
  if (params.has('token')) {
    // Keep the token out of the address bar (and of screenshots and history).
    sessionStorage.setItem('ops-token', token);
    params.delete('token');
    history.replaceState(null, '', `${location.pathname}${params.size ? `#${params}` : ''}`);
  }
  const claims = claimsOf(token);
  const client = params.get('client') ?? claims.client_id;
  const fail = (message) => {
    sessionStorage.removeItem('ops-token');
    $('#login').hidden = false;
    $('#login-error').textContent = message;
    $('#login').addEventListener('submit', (ev) => {
      ev.preventDefault();
      sessionStorage.setItem('ops-token', $('#token').value.trim());
      location.reload();
    });
  };
  if (claims.hub_role !== 'ops') return fail('The token is not an ops token (hub_role: ops).');
  if (!client) return fail('The token names no client (client_id); add #client=<id> to the URL.');
  const app = new Console(token, client);
  window.opsConsole = app;
  app.start().catch((err) => fail(`Could not load: ${err.message}`));
}

// A pasted #token=… link on an open page starts over with it.
window.addEventListener('hashchange', () => hashParams().has('token') && location.reload());
boot();
