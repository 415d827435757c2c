import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { FLOWS } from '../webhooks/flows';
import { webhookComponents, webhookPaths } from './openapi';

/** Routes that are not REST: GraphQL documents itself, and the generic webhook route is documented per flow. */
const UNDOCUMENTED = [/^\/graphql/, /^\/docs\//, /^\/api\/v1\/webhooks\/:flow$/];

/**
 * OpenAPI 3.1 of the REST shim at `/docs/openapi.json` (@fastify/swagger), built from the FLOWS
 * registry and each action's zod schema: the same schemas the pipeline validates with.
 * Registered before the routes so @fastify/swagger sees them.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  const flows = Object.values(FLOWS);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Axon Integration Hub — REST shim',
        version: 'v1',
        description:
          'ERPs POST `{ action, data }` to `/api/v1/webhooks/<flow>`. Errors are `{ ok: false, ' +
          'error: { code, message, issues?, details? } }` with the codes listed per status.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          bearerJwt: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'The JWTs of /graphql (roles app and ops)',
          },
          metricsToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'The Prometheus scrape token (METRICS_TOKEN); opens GET /metrics only',
          },
        },
        schemas: webhookComponents(flows),
      },
    },
    transform: ({ schema, url }) => ({
      schema: UNDOCUMENTED.some((r) => r.test(url)) ? { ...schema, hide: true } : schema,
      url,
    }),
    transformObject: (documentObject) => {
      const doc = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
      return { ...doc, paths: { ...doc.paths, ...webhookPaths(flows) } };
    },
  });
  app.get('/docs/openapi.json', async () => app.swagger());
}
