import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../schema/connection';
import { DateTimeScalar } from '../schema/scalars';

export enum WebhookAuthSchemeEnum {
  API_KEY = 'api_key',
  SIGNATURE = 'signature',
  BOTH = 'both',
}
registerEnumType(WebhookAuthSchemeEnum, {
  name: 'WebhookAuthScheme',
  description: "What a client's deliveries must carry: x-api-key, a Standard Webhooks signature, or both",
});

@ObjectType('ApiKey', { description: 'An API key (the key itself is never shown again after creation)' })
export class ApiKeyType {
  @Field(() => ID)
  id!: number;

  @Field({ description: 'the client (tenant) the key belongs to' })
  clientId!: string;

  @Field(() => String, { nullable: true, description: 'the only flow the key opens; null: every flow of the client' })
  flow!: string | null;

  @Field()
  name!: string;

  @Field({ description: 'the first characters, to recognise the key' })
  keyPrefix!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyType {
  @Field({ description: 'the key: shown this once, store it now' })
  key!: string;

  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;
}

@InputType()
export class CreateApiKeyInput {
  @Field()
  client!: string;

  @Field(() => String, { nullable: true, description: 'flow key or path (sales, sales-flow); omit for every flow' })
  flow?: string | null;

  @Field()
  name!: string;
}

@ObjectType('WebhookSecret', {
  description: 'A Standard Webhooks signing secret (the secret is shown only at creation)',
})
export class WebhookSecretType {
  @Field(() => ID)
  id!: number;

  @Field()
  clientId!: string;

  @Field()
  name!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType('CreatedWebhookSecret')
export class CreatedWebhookSecretType {
  @Field({ description: 'whsec_…: shown this once; give it to the sender' })
  secret!: string;

  @Field(() => WebhookSecretType)
  webhookSecret!: WebhookSecretType;
}

@ObjectType('ClientSecurity')
export class ClientSecurityType {
  @Field()
  clientId!: string;

  @Field(() => WebhookAuthSchemeEnum)
  schemes!: WebhookAuthSchemeEnum;

  @Field(() => [String], { description: 'CIDRs deliveries may come from; empty: any' })
  ipAllowlist!: string[];

  @Field(() => GraphQLJSON, { description: 'per endpoint overrides of the rate limit, e.g. {"webhooks": 600}' })
  rateLimits!: Record<string, number>;
}

@InputType()
export class UpdateClientSecurityInput {
  @Field(() => WebhookAuthSchemeEnum, { nullable: true })
  schemes?: WebhookAuthSchemeEnum;

  @Field(() => [String], { nullable: true })
  ipAllowlist?: string[];

  @Field(() => Int, { nullable: true, description: 'webhook requests per rate-limit window' })
  webhooksRateLimit?: number;

  @Field(() => Int, { nullable: true, description: 'GraphQL requests per rate-limit window' })
  graphqlRateLimit?: number;
}

@ObjectType('QuarantinedDelivery', {
  description: 'A delivery refused before it was understood (authentication, signature, allowlist); it had no effect',
})
export class QuarantinedDeliveryType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  clientId!: string | null;

  @Field(() => String, { nullable: true })
  flow!: string | null;

  @Field({ description: 'the GW_… code it was refused with' })
  reason!: string;

  @Field()
  message!: string;

  @Field(() => String, { nullable: true })
  ip!: string | null;

  @Field(() => GraphQLJSON, { description: 'non-secret headers (credentials only as "(present)")' })
  headers!: Record<string, string>;

  @Field(() => Int)
  bodySize!: number;

  @Field(() => DateTimeScalar)
  receivedAt!: Date;
}

@ObjectType()
export class QuarantinedDeliveryConnection extends Connection(QuarantinedDeliveryType, 'QuarantinedDelivery') {}

@InputType()
export class QuarantineFilterInput {
  @Field({ nullable: true })
  client?: string;

  @Field({ nullable: true })
  reason?: string;

  @Field(() => DateTimeScalar, { nullable: true })
  from?: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  to?: Date;
}

@ObjectType('AuditEntry', { description: 'Who did what, when, from where, with what outcome' })
export class AuditEntryType {
  @Field(() => ID)
  id!: number;

  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => String, { nullable: true })
  clientId!: string | null;

  @Field({ description: 'api-key:<name>, jwt:<sub>, signature:<secret name>, cli:<user> or anonymous' })
  actor!: string;

  @Field(() => String, { nullable: true })
  role!: string | null;

  @Field({ description: 'rest, graphql or cli' })
  source!: string;

  @Field({ description: 'sales-flow/register_sale, mutation createApiKey, …' })
  action!: string;

  @Field(() => String, { nullable: true })
  target!: string | null;

  @Field(() => String, { nullable: true })
  ip!: string | null;

  @Field({ description: 'ok, refused:<code> or failed:<code>' })
  outcome!: string;

  @Field(() => GraphQLJSON, { nullable: true })
  details!: unknown;
}

@ObjectType()
export class AuditEntryConnection extends Connection(AuditEntryType, 'AuditEntry') {}

@InputType()
export class AuditLogFilterInput {
  @Field({ nullable: true })
  client?: string;

  @Field({ nullable: true })
  actor?: string;

  @Field({ nullable: true, description: 'rest, graphql or cli' })
  source?: string;

  @Field({ nullable: true })
  action?: string;

  @Field({ nullable: true, description: 'ok, refused or failed' })
  outcome?: string;

  @Field(() => DateTimeScalar, { nullable: true })
  from?: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  to?: Date;
}
