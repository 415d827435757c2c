import { z } from 'zod';
import { ERROR_STATUS, ErrorCode } from '../errors/gateway-error';
import type { FlowDefinition } from '../webhooks/flow-definition';

type JsonSchema = Record<string, unknown>;

/** The JSON Schema of what an ERP sends (`io: 'input'`: before defaults and normalisation). */
export function inputJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  return json;
}

export function actionSchemaName(flow: FlowDefinition, action: string): string {
  return `${flow.path}.${action}`;
}

export function flowRequestSchemaName(flow: FlowDefinition): string {
  return `${flow.path}.request`;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Codes by HTTP status, from ERROR_STATUS (the one list the gateway answers with). */
export function errorCodesByStatus(): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const [code, status] of Object.entries(ERROR_STATUS) as Array<[ErrorCode, number]>) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus.entries()].sort(([a], [b]) => a - b));
}

const ERROR_BODY: JsonSchema = {
  type: 'object',
  required: ['ok', 'error'],
  properties: {
    ok: { const: false },
    eventId: {
      type: 'string',
      format: 'uuid',
      description: 'present when the delivery was recorded in the audit trail',
    },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: ref('ErrorCode'),
        message: { type: 'string' },
        issues: {
          type: 'array',
          description: 'one entry per offending field',
          items: {
            type: 'object',
            required: ['path', 'code', 'message'],
            properties: {
              path: { type: 'string', examples: ['data.items.0.unit_price'] },
              code: { type: 'string' },
              message: { type: 'string' },
            },
          },
        },
        details: {
          type: 'object',
          additionalProperties: true,
          description: 'computed values, e.g. `missing` for GW_PREDECESSOR_MISSING',
        },
      },
    },
  },
};

const SUCCESS_BODY: JsonSchema = {
  type: 'object',
  required: ['ok', 'action', 'eventId', 'result'],
  properties: {
    ok: { const: true },
    action: { type: 'string' },
    eventId: { type: 'string', format: 'uuid' },
    result: {
      type: 'object',
      additionalProperties: true,
      description: "the selection of the action's GraphQL mutation",
    },
  },
};

/** Every schema the REST shim's documentation refers to: one per action, one per flow, the error shape. */
export function webhookComponents(flows: readonly FlowDefinition[]): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {
    ErrorCode: { type: 'string', enum: Object.keys(ERROR_STATUS), 'x-http-status': ERROR_STATUS },
    ErrorBody: ERROR_BODY,
    WebhookAccepted: SUCCESS_BODY,
  };
  for (const flow of flows) {
    const actions = Object.entries(flow.actions);
    for (const [action, def] of actions) {
      schemas[actionSchemaName(flow, action)] = {
        type: 'object',
        required: ['action', 'data'],
        additionalProperties: false,
        properties: { action: { const: action }, data: inputJsonSchema(def.schema) },
      };
    }
    schemas[flowRequestSchemaName(flow)] = {
      oneOf: actions.map(([action]) => ref(actionSchemaName(flow, action))),
      discriminator: {
        propertyName: 'action',
        mapping: Object.fromEntries(actions.map(([action]) => [action, ref(actionSchemaName(flow, action)).$ref])),
      },
    };
  }
  return schemas;
}

const IDEMPOTENCY_HEADERS = [
  {
    name: 'webhook-id',
    in: 'header',
    required: false,
    schema: { type: 'string', maxLength: 200 },
    description: 'Standard Webhooks id: the idempotency key when present',
  },
  {
    name: 'idempotency-key',
    in: 'header',
    required: false,
    schema: { type: 'string', maxLength: 200 },
    description: 'idempotency key when webhook-id is absent (else the action and its business id)',
  },
];

/** `POST /api/v1/webhooks/<flow>` per flow: the payload of each action and every error code by status. */
export function webhookPaths(flows: readonly FlowDefinition[]): Record<string, JsonSchema> {
  const errors = Object.fromEntries(
    [...errorCodesByStatus()].map(([status, codes]) => [
      String(status),
      {
        description: codes.join(', '),
        content: {
          'application/json': {
            schema: { allOf: [ref('ErrorBody'), { properties: { error: { properties: { code: { enum: codes } } } } }] },
          },
        },
      },
    ]),
  );
  return Object.fromEntries(
    flows.map((flow) => [
      `/api/v1/webhooks/${flow.path}`,
      {
        post: {
          operationId: `webhook_${flow.key}`,
          tags: ['webhooks'],
          summary: `${flow.path}: ${Object.keys(flow.actions).join(', ')}`,
          security: [{ apiKey: [] }],
          parameters: IDEMPOTENCY_HEADERS,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref(flowRequestSchemaName(flow)) } },
          },
          responses: {
            '200': {
              description:
                'processed (or replayed: then the `idempotent-replayed: true` header is set and nothing is written)',
              content: { 'application/json': { schema: ref('WebhookAccepted') } },
            },
            ...errors,
          },
        },
      },
    ]),
  );
}
