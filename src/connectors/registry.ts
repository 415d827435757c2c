import type { Connector } from './connector';
import { ConnectorPolicy, connectorPolicy, ConnectorPolicyOptions } from './connector-policy';
import { FileConnector, FileConnectorConfig } from './file.connector';
import { HttpConnector, HttpConnectorConfig } from './http.connector';
import { MysqlConnector, MysqlConnectorConfig } from './mysql.connector';
import { PostgresConnector, PostgresConnectorConfig } from './postgres.connector';
import { own } from '../shared/own';

export type ConnectorConfig =
  PostgresConnectorConfig | MysqlConnectorConfig | HttpConnectorConfig | FileConnectorConfig;

type Factories = {
  [K in ConnectorConfig['kind']]: (config: Extract<ConnectorConfig, { kind: K }>, policy: ConnectorPolicy) => Connector;
};

const FACTORIES: Factories = {
  postgres: (c, p) => new PostgresConnector(c, p),
  mysql: (c, p) => new MysqlConnector(c, p),
  http: (c, p) => new HttpConnector(c, p),
  file: (c, p) => new FileConnector(c, p),
};

/** A connector for the configuration, wrapped in its own policy (timeout → breaker → retry). */
export function createConnector(
  config: ConnectorConfig,
  policy: ConnectorPolicy | Partial<ConnectorPolicyOptions> = {},
): Connector {
  const p =
    'execute' in policy ? (policy as ConnectorPolicy) : connectorPolicy(policy as Partial<ConnectorPolicyOptions>);
  const factory = own(FACTORIES as Record<string, (c: ConnectorConfig, p: ConnectorPolicy) => Connector>, config.kind);
  if (!factory) throw new Error(`unknown connector kind ${String(config.kind).slice(0, 32)}`);
  return factory(config, p);
}
