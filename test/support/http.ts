import { TEST_METRICS_TOKEN, TestApp } from './test-app';

export async function postWebhook(t: TestApp, flowPath: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/webhooks/${flowPath}`,
    headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey, ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

export async function graphql(
  t: TestApp,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey, ...headers },
    payload: JSON.stringify({ query, variables }),
  });
  return {
    status: res.statusCode,
    body: res.json() as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> },
  };
}

/**
 * `GET /health/integrations/:client`, by default with banban's API key (a caller of that client, as
 * for `flowHealth`).
 */
export async function integrationHealth(
  t: Pick<TestApp, 'app' | 'apiKey'>,
  client = 'banban',
  headers: Record<string, string> = { 'x-api-key': t.apiKey },
) {
  const res = await t.app.inject({ method: 'GET', url: `/health/integrations/${client}`, headers });
  return { status: res.statusCode, body: res.json() };
}

/** `GET /metrics` as Prometheus scrapes it (the test apps' scrape token). */
export async function scrapeMetrics(t: Pick<TestApp, 'app'>, token = TEST_METRICS_TOKEN) {
  const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.body };
}
