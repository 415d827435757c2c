import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_STATUS } from '../../src/errors/gateway-error';
import { FLOWS } from '../../src/webhooks/flows';
import { FIXTURES_DIR, fixture, variant } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
let doc: any;
let ajv: Ajv2020;

const flows = Object.values(FLOWS);
const fixtureActions = (flowPath: string) =>
  readdirSync(join(FIXTURES_DIR, 'banban', flowPath))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''));

beforeAll(async () => {
  t = await startTestApp();
  const res = await t.app.inject({ method: 'GET', url: '/docs/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
  ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  // OpenAPI keywords that are annotations for JSON Schema validation.
  ajv.addVocabulary(['components', 'discriminator', 'x-http-status']);
  ajv.addSchema({ $id: 'openapi.json', components: doc.components });
});
afterAll(() => t.close());

function validatorFor(flowPath: string) {
  const schema = doc.paths[`/api/v1/webhooks/${flowPath}`].post.requestBody.content['application/json'].schema;
  return ajv.compile({ $ref: `openapi.json${schema.$ref}` });
}

describe('GET /docs/openapi.json', () => {
  it('is OpenAPI 3.1 with one path per registered flow, and no GraphQL or generic routes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    for (const flow of flows)
      expect(doc.paths[`/api/v1/webhooks/${flow.path}`].post.operationId).toBe(`webhook_${flow.key}`);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/graphql') || p.includes(':flow'))).toEqual([]);
  });

  it('documents who may call the ops endpoints; the probes need no credentials', () => {
    expect(doc.paths['/metrics'].get.security).toEqual([{ bearerJwt: [] }, { metricsToken: [] }]);
    expect(doc.paths['/health/integrations/{client}'].get.security).toEqual([{ bearerJwt: [] }, { apiKey: [] }]);
    for (const probe of ['/health/live', '/health/ready']) expect(doc.paths[probe].get.security).toEqual([]);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearerJwt', 'metricsToken']);
  });

  it('lists every action of a flow in a oneOf with a discriminator on `action`', () => {
    for (const flow of flows) {
      const request = doc.components.schemas[`${flow.path}.request`];
      expect(request.discriminator.propertyName).toBe('action');
      expect(Object.keys(request.discriminator.mapping).sort()).toEqual(Object.keys(flow.actions).sort());
      expect(request.oneOf).toHaveLength(Object.keys(flow.actions).length);
    }
  });

  it('documents every error code under its HTTP status', () => {
    for (const flow of flows) {
      const responses = doc.paths[`/api/v1/webhooks/${flow.path}`].post.responses;
      for (const [code, status] of Object.entries(ERROR_STATUS)) {
        expect(
          responses[String(status)].content['application/json'].schema.allOf[1].properties.error.properties.code.enum,
        ).toContain(code);
      }
    }
    expect(doc.components.schemas.ErrorCode.enum).toEqual(Object.keys(ERROR_STATUS));
  });
});

describe('the Banban fixtures against the documented payloads', () => {
  it('every registered flow has fixtures (test/fixtures/banban/<flow>)', () => {
    for (const flow of flows) expect(fixtureActions(flow.path).length).toBeGreaterThan(0);
  });

  for (const flow of flows) {
    describe(flow.path, () => {
      it.each(existsSync(join(FIXTURES_DIR, 'banban', flow.path)) ? fixtureActions(flow.path) : [])(
        '%s.json is a valid request',
        (action) => {
          const validate = validatorFor(flow.path);
          const valid = validate(fixture(flow.path, action));
          expect(validate.errors ?? []).toEqual([]);
          expect(valid).toBe(true);
        },
      );
    });
  }

  it('refuses what the pipeline refuses: unknown fields, unknown actions, money as a number', () => {
    const validate = validatorFor('sales-flow');
    expect(validate(variant('sales-flow', 'register_sale', { surprise: true }))).toBe(false);
    expect(validate({ ...fixture('sales-flow', 'register_sale'), action: 'register_gift' })).toBe(false);
    expect(validate(variant('sales-flow', 'register_sale', { total: 309.7 }))).toBe(false);
    expect(validate(variant('sales-flow', 'register_payment', { paid_at: '2026-11-28 14:33' }))).toBe(false);
  });
});
