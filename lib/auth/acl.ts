/**
 * Kafka-style ACLs, pure: a binding says that a principal may (allow) or may
 * not (deny) perform an operation on the topics, groups or cluster that a
 * literal name or a name prefix selects.
 *
 * Decision rules (Kafka's `AclAuthorizer`):
 * - any matching deny wins over every allow;
 * - with no matching allow the answer is no (default deny);
 * - `all` matches every operation;
 * - an allow of read, write, delete or alter implies describe (deny does not
 *   imply anything: denying read still lets the principal see the topic);
 * - principal `*` matches every authenticated principal, and a literal
 *   resource name `*` matches every resource of its type.
 *
 * The words (operations, resource types, pattern types, permissions) are the
 * wire contract's, in lib/protocol/acl.ts.
 */
import type { AclOperation, PatternType, Permission, ResourceType } from '../protocol/acl';
import type { Action, Principal, Resource } from './authorize';

export interface AclBinding {
  /** A principal name, or `*` for every authenticated principal. */
  principal: string;
  resourceType: ResourceType;
  /** Literal name (`*` = all of the type) or a prefix. Cluster bindings use `samsa` or `*`. */
  resourceName: string;
  patternType: PatternType;
  operation: AclOperation;
  permission: Permission;
}

export type Decision = 'allow' | 'deny' | 'none';

const IMPLIES_DESCRIBE: ReadonlySet<AclOperation> = new Set(['read', 'write', 'delete', 'alter']);

export function decide(bindings: readonly AclBinding[], principal: Principal, action: Action, resource: Resource): Decision {
  let allowed = false;
  for (const b of bindings) {
    if (!principalMatches(b, principal) || !resourceMatches(b, resource)) continue;
    if (b.permission === 'deny') {
      if (b.operation === action || b.operation === 'all') return 'deny';
    } else if (b.operation === action || b.operation === 'all' || (action === 'describe' && IMPLIES_DESCRIBE.has(b.operation))) {
      allowed = true;
    }
  }
  return allowed ? 'allow' : 'none';
}

/** True when some allow binding grants `action` on some resource of the type, ignoring names (Kafka's "any topic" checks). */
export function allowsOnAny(bindings: readonly AclBinding[], principal: Principal, action: Action, type: ResourceType): boolean {
  return bindings.some(
    (b) => b.permission === 'allow' && b.resourceType === type && principalMatches(b, principal) && (b.operation === action || b.operation === 'all'),
  );
}

function principalMatches(b: AclBinding, principal: Principal): boolean {
  return b.principal === '*' || b.principal === principal.name;
}

function resourceMatches(b: AclBinding, resource: Resource): boolean {
  if (b.resourceType !== resource.type) return false;
  if (b.patternType === 'prefixed') return resource.name.startsWith(b.resourceName);
  return b.resourceName === '*' || b.resourceName === resource.name;
}
