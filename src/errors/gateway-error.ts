import { GraphQLError } from 'graphql';

/**
 * Every refusal the gateway makes carries a stable `GW_…` code and the HTTP status the REST shim
 * answers with. Extending GraphQLError lets resolvers throw it and keep the code in `extensions`.
 */
export const ERROR_STATUS = {
  GW_UNAUTHENTICATED: 401,
  GW_FORBIDDEN: 403,
  GW_SIGNATURE_REQUIRED: 401,
  GW_SIGNATURE_INVALID: 401,
  GW_TIMESTAMP_OUT_OF_TOLERANCE: 401,
  GW_IP_NOT_ALLOWED: 403,
  GW_WEBHOOK_ID_REUSED: 409,
  GW_INVALID_ENCODING: 400,
  GW_MALFORMED_JSON: 400,
  GW_VALIDATION_FAILED: 400,
  GW_UNKNOWN_ACTION: 400,
  GW_UNKNOWN_FLOW: 404,
  GW_NOT_FOUND: 404,
  GW_SALE_NOT_FOUND: 404,
  GW_UNSUPPORTED_MEDIA_TYPE: 415,
  GW_PAYLOAD_TOO_LARGE: 413,
  GW_PAYLOAD_TOO_DEEP: 400,
  GW_QUERY_LIMIT_EXCEEDED: 400,
  GW_SUBSCRIPTION_OVER_HTTP: 400,
  GW_IDEMPOTENCY_KEY_REUSED: 409,
  GW_BUSINESS_ID_CONFLICT: 409,
  GW_PREDECESSOR_MISSING: 409,
  GW_INVALID_STATE: 409,
  GW_SALE_TOTAL_MISMATCH: 422,
  GW_OVERPAYMENT: 422,
  GW_BUSINESS_RULE: 422,
  GW_INSUFFICIENT_STOCK: 422,
  GW_RETURN_EXCEEDS_SOLD: 422,
  GW_REFUND_EXCEEDS_VALUE: 422,
  GW_RATE_LIMITED: 429,
  GW_INTERNAL: 500,
  GW_STORE_UNAVAILABLE: 503,
  GW_OUTCOME_UNKNOWN: 503,
  GW_CIRCUIT_OPEN: 503,
  GW_OVERLOADED: 503,
  GW_PREDECESSOR_QUEUED: 409,
  GW_ETL_RUN_NOT_FOUND: 404,
  GW_ETL_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldIssue {
  path: string;
  code: string;
  message: string;
}

export class GatewayError extends GraphQLError {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly issues?: FieldIssue[];
  readonly details?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { issues?: FieldIssue[]; details?: Record<string, unknown> } = {},
  ) {
    super(message, {
      extensions: {
        code,
        http: { status: ERROR_STATUS[code] },
        ...(opts.issues && { issues: opts.issues }),
        ...(opts.details && { details: opts.details }),
      },
    });
    this.code = code;
    this.httpStatus = ERROR_STATUS[code];
    this.issues = opts.issues;
    this.details = opts.details;
  }

  toBody(): ErrorBody {
    return {
      ok: false,
      error: {
        code: this.code,
        message: this.message,
        ...(this.issues && { issues: this.issues }),
        ...(this.details && { details: this.details }),
      },
    };
  }
}

export interface ErrorBody {
  ok: false;
  error: { code: string; message: string; issues?: FieldIssue[]; details?: Record<string, unknown> };
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}

/** Body for anything we did not anticipate: the code and a generic message, never internals. */
export function internalErrorBody(): ErrorBody {
  return { ok: false, error: { code: 'GW_INTERNAL', message: 'Internal error; the event was not applied' } };
}
