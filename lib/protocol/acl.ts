/**
 * The words of Kafka-style ACLs as the API, the SDK and the CLI spell them:
 * operations, resource types, pattern types and permissions. What a binding
 * means, and how bindings decide, is the server's (lib/auth/acl.ts).
 * Pure data, dependency-free: the SDK's types import it.
 */

export const ACL_OPERATIONS = ['read', 'write', 'create', 'delete', 'describe', 'alter', 'all'] as const;
export type AclOperation = (typeof ACL_OPERATIONS)[number];

export const RESOURCE_TYPES = ['topic', 'group', 'cluster'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** `literal` names one resource (`*` = every resource of the type); `prefixed` every resource whose name starts with it. */
export const PATTERN_TYPES = ['literal', 'prefixed'] as const;
export type PatternType = (typeof PATTERN_TYPES)[number];

export const PERMISSIONS = ['allow', 'deny'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The one cluster resource: cluster bindings name it (or `*`), literally. */
export const CLUSTER_RESOURCE_NAME = 'samsa';
