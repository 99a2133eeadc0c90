/**
 * The one authorization choke point: every lib operation calls `authorize`
 * before it reads or changes anything. Until ACLs exist (issue 9) the
 * deployment's authorizer allows everything; the seam is here so that
 * enforcement is added in one place and no route can forget it.
 */
import { SamsaError } from '../errors';

export interface Principal {
  /** Stable name of the caller (API key principal, JWT subject, or `anonymous`). */
  name: string;
}

export const ANONYMOUS: Principal = Object.freeze({ name: 'anonymous' });

export type Action = 'create' | 'delete' | 'describe' | 'alter' | 'read' | 'write';

export type Resource =
  | { type: 'topic'; name: string }
  | { type: 'group'; name: string }
  | { type: 'cluster'; name: 'samsa' };

/** Decides one request. Returns true to allow. May read storage, so it is async. */
export type Authorizer = (principal: Principal, action: Action, resource: Resource) => boolean | Promise<boolean>;

export const allowAll: Authorizer = () => true;

/** `refusal` says what was refused where the action and resource alone would not (e.g. a cluster `write`). */
export async function authorize(
  authorizer: Authorizer,
  principal: Principal,
  action: Action,
  resource: Resource,
  refusal?: string,
): Promise<void> {
  if (await authorizer(principal, action, resource)) return;
  throw new SamsaError(
    'AUTHORIZATION_FAILED',
    refusal ?? `Principal '${principal.name}' may not ${action} ${resource.type} '${resource.name}'.`,
  );
}
