/**
 * Credentials admin: `client.keys.*` (API keys) and `client.acls.*` (Kafka-style
 * ACL bindings). Issuing and revoking keys and changing ACLs need alter on the
 * cluster, listing needs describe on it (super users may do everything).
 */
import type { AclOperation, PatternType, Permission, ResourceType } from '../lib/protocol/acl';
import type { AclBindingBody, CreateApiKeyBody } from '../lib/protocol/requests';
import type { Acl, AclList, ApiKeyList, ApiKeyView, IssuedApiKey } from '../lib/protocol/responses';
import { route, type HttpClient } from './http';
import { checkFields } from './validate';

export type { Acl, AclOperation, ApiKeyView, IssuedApiKey };

/** `expiresInSeconds` omitted = the key never expires. */
export type CreateApiKeyOptions = CreateApiKeyBody;

export type AclResourceType = ResourceType;
export type AclPatternType = PatternType;
export type AclPermission = Permission;

/**
 * A binding to add: `principal` (`*` = every authenticated principal) may
 * (`allow`, the default) or may not (`deny`) perform `operation` on the
 * topics or groups named by `resourceName`, literally (the default; `*` =
 * all of the type) or as a prefix (`patternType: 'prefixed'`). Cluster
 * bindings name the resource `samsa`.
 */
export type AclBindingInput = AclBindingBody;

export interface AclFilter {
  principal?: string;
  resourceType?: AclResourceType;
  resourceName?: string;
}

// Enumerations (resource types, operations, …) are the server's to check: it answers with the valid ones.
const KEY_FIELDS = { principal: 's!', expiresInSeconds: 'p', description: 't' } satisfies Record<keyof CreateApiKeyOptions, string>;
const ACL_FIELDS = {
  principal: 's!',
  resourceType: 's!',
  resourceName: 's!',
  patternType: 's',
  operation: 's!',
  permission: 's',
} satisfies Record<keyof AclBindingInput, string>;
const FILTER_FIELDS = { principal: 's', resourceType: 's', resourceName: 's' } satisfies Record<keyof AclFilter, string>;

export class ApiKeys {
  constructor(private readonly http: HttpClient) {}

  /** Issues a key for `principal`; the answer holds the secret, once. */
  async create(options: CreateApiKeyOptions): Promise<IssuedApiKey> {
    return this.http.request({ ...route('createApiKey'), body: checkFields(options, KEY_FIELDS, 'keys.create(options)') });
  }

  /** Every key (never a secret), or only the keys of one principal. */
  async list(options: { principal?: string } = {}): Promise<ApiKeyView[]> {
    checkFields(options, { principal: 's' }, 'keys.list(options)');
    return (await this.http.request<ApiKeyList>({ ...route('listApiKeys'), query: { principal: options.principal } })).keys;
  }

  /** Revokes a key (the record stays, stamped `revokedAt`; revoking twice keeps the first time). Servers honour it within their auth cache time. */
  revoke(keyId: string): Promise<ApiKeyView> {
    return this.http.request(route('revokeApiKey', { keyId }));
  }
}

export class Acls {
  constructor(private readonly http: HttpClient) {}

  /** Adds a binding; idempotent (the same binding has the same id). */
  async create(binding: AclBindingInput): Promise<Acl> {
    return this.http.request({ ...route('createAcl'), body: checkFields(binding, ACL_FIELDS, 'acls.create(binding)'), idempotent: true });
  }

  async list(filter: AclFilter = {}): Promise<Acl[]> {
    checkFields(filter, FILTER_FIELDS, 'acls.list(filter)');
    const query = { principal: filter.principal, resourceType: filter.resourceType, resourceName: filter.resourceName };
    return (await this.http.request<AclList>({ ...route('listAcls'), query })).acls;
  }

  /** Removes a binding by id and returns it; ACL_NOT_FOUND (a NotFoundError) when there is none. */
  delete(id: string): Promise<Acl> {
    return this.http.request(route('deleteAcl', { aclId: id }));
  }
}
