import type { TestApp } from './test-app';

export async function postWebhook(t: TestApp, flowPath: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/webhooks/${flowPath}`,
    headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey, ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

export async function graphql(t: TestApp, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey, ...headers },
    payload: JSON.stringify({ query, variables }),
  });
  return { status: res.statusCode, body: res.json() as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}
