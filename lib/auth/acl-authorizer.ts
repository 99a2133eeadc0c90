/**
 * The deployed Authorizer: super users may do everything; everyone else gets
 * what the ACL bindings (lib/auth/acl.ts) allow, with Kafka's two widenings:
 * creating a topic is also allowed by `create` on the cluster, and getting an
 * idempotent producer id (a cluster `write`) by `write` on any topic
 * (KIP-679). The binding set is loaded with one Query and kept for
 * `cacheMs`, so an ACL change takes effect within that time on every
 * instance; concurrent requests share one load.
 */
import type { Clock } from '../context';
import { allowsOnAny, decide, type AclBinding } from './acl';
import type { Authorizer } from './authorize';

export interface AclAuthorizerOptions {
  superUsers: readonly string[];
  load(): Promise<AclBinding[]>;
  cacheMs: number;
  clock: Clock;
}

export function aclAuthorizer(options: AclAuthorizerOptions): Authorizer {
  const superUsers = new Set(options.superUsers);
  let cached: { bindings: Promise<AclBinding[]>; until: number } | undefined;
  const bindings = (): Promise<AclBinding[]> => {
    const now = options.clock.now();
    if (cached === undefined || now >= cached.until) {
      const loading = options.load();
      cached = { bindings: loading, until: now + options.cacheMs };
      // A failed load must not be cached.
      loading.catch(() => {
        if (cached?.bindings === loading) cached = undefined;
      });
    }
    return cached.bindings;
  };

  return async (principal, action, resource) => {
    if (superUsers.has(principal.name)) return true;
    const acls = await bindings();
    const decision = decide(acls, principal, action, resource);
    if (decision !== 'none') return decision === 'allow';
    if (resource.type === 'topic' && action === 'create') {
      return decide(acls, principal, 'create', { type: 'cluster', name: 'samsa' }) === 'allow';
    }
    if (resource.type === 'cluster' && action === 'write') return allowsOnAny(acls, principal, 'write', 'topic');
    return false;
  };
}
