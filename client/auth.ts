/**
 * Credentials admin: `client.keys.*` (API keys) and `client.acls.*` (Kafka-style
 * ACL bindings). Issuing and revoking keys and changing ACLs need alter on the
 * cluster, listing needs describe on it (super users may do everything).
 */
import type { AclBindingBody, ApiKeyView, CreateApiKeyBody } from '../lib/protocol/auth';
import { path, type HttpClient } from './http';

export type { ApiKeyView };

/** `expiresInSeconds` omitted = the key never expires. */
export type CreateApiKeyOptions = CreateApiKeyBody;

/** A new key: the only time the secret (`apiKey`) is shown. Store it; Samsa keeps only a salted hash. */
export interface IssuedApiKey extends ApiKeyView {
  apiKey: string;
}

export type AclResourceType = AclBindingBody['resourceType'];
export type AclOperation = AclBindingBody['operation'];
export type AclPatternType = NonNullable<AclBindingBody['patternType']>;
export type AclPermission = NonNullable<AclBindingBody['permission']>;

/**
 * A binding to add: `principal` (`*` = every authenticated principal) may
 * (`allow`, the default) or may not (`deny`) perform `operation` on the
 * topics or groups named by `resourceName`, literally (the default; `*` =
 * all of the type) or as a prefix (`patternType: 'prefixed'`). Cluster
 * bindings name the resource `samsa`.
 */
export type AclBindingInput = AclBindingBody;

/** A stored binding; `id` is derived from its fields, so adding the same binding twice yields one binding. */
export interface Acl extends Required<AclBindingBody> {
  id: string;
}

export interface AclFilter {
  principal?: string;
  resourceType?: AclResourceType;
  resourceName?: string;
}

export class ApiKeys {
  constructor(private readonly http: HttpClient) {}

  /** Issues a key for `principal`; the answer holds the secret, once. */
  create(options: CreateApiKeyOptions): Promise<IssuedApiKey> {
    return this.http.request({ method: 'POST', path: '/v1/apikeys', body: options });
  }

  /** Every key (never a secret), or only the keys of one principal. */
  async list(options: { principal?: string } = {}): Promise<ApiKeyView[]> {
    return (await this.http.request<{ keys: ApiKeyView[] }>({ method: 'GET', path: '/v1/apikeys', query: { principal: options.principal } })).keys;
  }

  /** Revokes a key (the record stays, stamped `revokedAt`; revoking twice keeps the first time). Servers honour it within their auth cache time. */
  revoke(keyId: string): Promise<ApiKeyView> {
    return this.http.request({ method: 'DELETE', path: path`/v1/apikeys/${keyId}` });
  }
}

export class Acls {
  constructor(private readonly http: HttpClient) {}

  /** Adds a binding; idempotent (the same binding has the same id). */
  create(binding: AclBindingInput): Promise<Acl> {
    return this.http.request({ method: 'POST', path: '/v1/acls', body: binding, idempotent: true });
  }

  async list(filter: AclFilter = {}): Promise<Acl[]> {
    const query = { principal: filter.principal, resourceType: filter.resourceType, resourceName: filter.resourceName };
    return (await this.http.request<{ acls: Acl[] }>({ method: 'GET', path: '/v1/acls', query })).acls;
  }

  /** Removes a binding by id and returns it; ACL_NOT_FOUND (a NotFoundError) when there is none. */
  delete(id: string): Promise<Acl> {
    return this.http.request({ method: 'DELETE', path: path`/v1/acls/${id}` });
  }
}
