import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Mutation, Query, Resolver } from 'type-graphql';
import { assertKnownClient, createApiKey } from '../auth/key-management';
import { keysetConnection, PageArgs } from '../schema/connection';
import { GraphQLContext } from '../schema/context';
import { auditCursor, auditRepository, AuditSource } from './audit.repository';
import { clientSecurityRepository } from './client-security.repository';
import { quarantineCursor, quarantineRepository } from './quarantine.repository';
import {
  ApiKeyType,
  AuditEntryConnection,
  AuditLogFilterInput,
  ClientSecurityType,
  CreateApiKeyInput,
  CreatedApiKeyType,
  CreatedWebhookSecretType,
  QuarantinedDeliveryConnection,
  QuarantineFilterInput,
  UpdateClientSecurityInput,
  WebhookSecretType,
} from './security.type';

@ArgsType()
class QuarantineArgs extends PageArgs {
  @Field(() => QuarantineFilterInput, { nullable: true })
  filter?: QuarantineFilterInput;
}

@ArgsType()
class AuditLogArgs extends PageArgs {
  @Field(() => AuditLogFilterInput, { nullable: true })
  filter?: AuditLogFilterInput;
}

const withoutSecret = <T extends { secret: string }>({ secret: _secret, ...rest }: T) => rest;

/** Ops only: API keys, signing secrets, per-client webhook security, the quarantine and the audit log. */
@Resolver()
export class SecurityResolver {
  @Authorized('ops')
  @Query(() => [ApiKeyType], { description: 'API keys, of one client or all; revoked ones on request' })
  apiKeys(
    @Ctx() ctx: GraphQLContext,
    @Arg('client', () => String, { nullable: true }) client?: string | null,
    @Arg('includeRevoked', { defaultValue: false }) includeRevoked?: boolean,
  ) {
    return ctx.services.apiKeys.list({ clientId: client, includeRevoked });
  }

  @Authorized('ops')
  @Mutation(() => CreatedApiKeyType, {
    description: 'Issues a key for a client (optionally one flow). The key is returned this once.',
  })
  async createApiKey(@Arg('input') input: CreateApiKeyInput, @Ctx() ctx: GraphQLContext) {
    const { key, record } = await createApiKey(ctx.services.apiKeys, input);
    return { key, apiKey: record };
  }

  @Authorized('ops')
  @Mutation(() => ApiKeyType, { description: 'Revokes a key at once (idempotent)' })
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.apiKeys.revoke(Number(id));
  }

  @Authorized('ops')
  @Query(() => [WebhookSecretType])
  async webhookSecrets(
    @Ctx() ctx: GraphQLContext,
    @Arg('client', () => String, { nullable: true }) client?: string | null,
  ) {
    return (await clientSecurityRepository.listSecrets(ctx.reader, client ?? null)).map(withoutSecret);
  }

  @Authorized('ops')
  @Mutation(() => CreatedWebhookSecretType, {
    description: 'A new signing secret; several may be active at once for rotation',
  })
  async createWebhookSecret(@Arg('client') client: string, @Arg('name') name: string, @Ctx() ctx: GraphQLContext) {
    const row = await ctx.unitOfWork((q) => ctx.services.security.createSecret(q, client, name.slice(0, 100)));
    return { secret: row.secret, webhookSecret: withoutSecret(row) };
  }

  @Authorized('ops')
  @Mutation(() => WebhookSecretType)
  async revokeWebhookSecret(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return withoutSecret(await ctx.unitOfWork((q) => ctx.services.security.revokeSecret(q, Number(id))));
  }

  @Authorized('ops')
  @Query(() => ClientSecurityType)
  async clientSecurity(@Arg('client') client: string, @Ctx() ctx: GraphQLContext) {
    assertKnownClient(client);
    return { clientId: client, ...(await ctx.services.security.settingsOf(client)) };
  }

  @Authorized('ops')
  @Mutation(() => ClientSecurityType, { description: 'Required schemes, IP allowlist and rate limits of a client' })
  async updateClientSecurity(
    @Arg('client') client: string,
    @Arg('input') input: UpdateClientSecurityInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    assertKnownClient(client);
    const current = await ctx.services.security.settingsOf(client);
    const rateLimits = { ...current.rateLimits };
    if (input.webhooksRateLimit != null) rateLimits.webhooks = input.webhooksRateLimit;
    if (input.graphqlRateLimit != null) rateLimits.graphql = input.graphqlRateLimit;
    const next = await ctx.unitOfWork((q) =>
      ctx.services.security.update(q, client, { schemes: input.schemes, ipAllowlist: input.ipAllowlist, rateLimits }),
    );
    return { clientId: client, ...next };
  }

  @Authorized('ops')
  @Query(() => QuarantinedDeliveryConnection, {
    description: 'Deliveries refused by authentication, signature or allowlist checks, newest first',
  })
  async quarantine(@Args() args: QuarantineArgs, @Ctx() ctx: GraphQLContext) {
    const { client, ...rest } = args.filter ?? {};
    return keysetConnection(
      args,
      (limit, after) => quarantineRepository.page(ctx.reader, { clientId: client, ...rest }, limit, after),
      quarantineCursor,
    );
  }

  @Authorized('ops')
  @Query(() => AuditEntryConnection, {
    description: 'The audit trail of mutations, key changes and replays, newest first',
  })
  async auditLog(@Args() args: AuditLogArgs, @Ctx() ctx: GraphQLContext) {
    const { client, source, ...rest } = args.filter ?? {};
    return keysetConnection(
      args,
      (limit, after) =>
        auditRepository.page(
          ctx.reader,
          { clientId: client, source: source as AuditSource | undefined, ...rest },
          limit,
          after,
        ),
      auditCursor,
    );
  }
}
