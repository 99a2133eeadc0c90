/**
 * Wire schemas of API keys and ACLs (also the source of the OpenAPI
 * document), each asserted at compile time to infer exactly its plain
 * interface in ./requests.ts (re-exported here for server code).
 */
import * as z from 'zod/mini';
import { ACL_OPERATIONS, PATTERN_TYPES, PERMISSIONS, RESOURCE_TYPES } from './acl';
import type { AclBindingBody, CreateApiKeyBody } from './requests';
import type { Equal } from './response-schemas';

export type { AclBindingBody, CreateApiKeyBody } from './requests';

/** Principal names: letters, digits and `._@:|+-`, like user names, e-mail addresses and OIDC subjects (`auth0|123`). */
export const PRINCIPAL_PATTERN = /^[A-Za-z0-9._@:|+-]{1,128}$/;

export const createApiKeyBody = z.strictObject({
  principal: z.string(),
  /** Key lifetime in seconds from now; omitted = no expiry. */
  expiresInSeconds: z.optional(z.int().check(z.minimum(1), z.maximum(10 * 365 * 24 * 3600))),
  description: z.optional(z.string().check(z.maxLength(256))),
});

export const aclBindingBody = z.strictObject({
  principal: z.string(),
  resourceType: z.enum(RESOURCE_TYPES),
  resourceName: z.string(),
  patternType: z.optional(z.enum(PATTERN_TYPES)),
  operation: z.enum(ACL_OPERATIONS),
  permission: z.optional(z.enum(PERMISSIONS)),
});

/** What the API returns for a key: declared once with the other answers. */
export type { ApiKeyView } from './responses';

// Compile-time: each schema infers exactly the plain type the SDK uses.
const _checks: {
  createApiKeyBody: Equal<z.infer<typeof createApiKeyBody>, CreateApiKeyBody>;
  aclBindingBody: Equal<z.infer<typeof aclBindingBody>, AclBindingBody>;
} = { createApiKeyBody: true, aclBindingBody: true };
void _checks;
