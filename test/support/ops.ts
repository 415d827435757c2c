import { execute, ExecutionResult, parse } from 'graphql';
import { buildGatewaySchema } from '../../src/schema/build-schema';
import { createContext, Principal } from '../../src/schema/context';
import type { TestApp } from './test-app';

/**
 * Runs an operation in-process as an `ops` principal. API keys only ever yield role `app`; until the
 * JWT roles land (security branch), this is how tests reach `@Authorized('ops')` operations.
 */
export async function opsGraphql(
  t: TestApp,
  query: string,
  variables: Record<string, unknown> = {},
  clientId = 'banban',
): Promise<ExecutionResult<any>> {
  const principal: Principal = { clientId, role: 'ops', subject: 'test:ops' };
  return execute({
    schema: buildGatewaySchema(),
    document: parse(query),
    variableValues: variables,
    contextValue: createContext({ principal, services: t.services, db: t.db, log: t.app.log }),
  }) as Promise<ExecutionResult<any>>;
}

/** Data of an ops operation that must succeed. */
export async function opsData(t: TestApp, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const r = await opsGraphql(t, query, variables);
  if (r.errors?.length)
    throw new Error(
      `ops operation failed: ${r.errors.map((e) => `${e.message} ${JSON.stringify(e.extensions)}`).join('; ')}`,
    );
  return r.data;
}
