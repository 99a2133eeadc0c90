/**
 * The storage requests and fencing rules whose conditions Samsa's
 * guarantees rest on, as one swappable set of pure functions. Production
 * code always uses DEFAULT_BUILDERS (LibContext.builders is unset); the
 * correctness checker's self-test passes a set with one builder broken
 * (checker/sabotage.ts) to prove it detects what that breaks — so no
 * production code path carries a test-only branch.
 * Each default is unit-tested (test/unit/builder-requests.test.ts and the
 * tests of the files named).
 */
import type { GetCommandInput, PutCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from './context';
import { commitUpdate, type CommitWrite } from './groups/commit-requests';
import { placeEpoch, retiredEpochGet, type Incarnation } from './groups/incarnation';
import { appendIdempotent } from './log/idempotence';
import { settlePut } from './log/settle-requests';
import { transactWrite, type TransactAction } from './log/transaction-requests';

export interface Builders {
  /** The put that settles a seq with a batch or an abort marker (lib/log/settle-requests.ts). */
  settlePut(table: string, item: Record<string, unknown>, returnOld: boolean): PutCommandInput;
  /** The conditional update that commits one offset (lib/groups/commit-requests.ts). */
  commitUpdate(table: string, c: CommitWrite): UpdateCommandInput;
  /** The incarnation a commit's epoch is judged against: the member item as read (undefined: not in the group). */
  commitIncarnation(member: Incarnation | undefined, sent: number): Incarnation | undefined;
  /** Where an epoch stands against the live incarnation (lib/groups/incarnation.ts). */
  placeEpoch(member: Incarnation, sent: number): 'current' | 'earlier-incarnation' | 'never-issued';
  /** The read of a member id's retired epoch before a join (lib/groups/incarnation.ts); undefined: nothing to read (0). */
  retiredEpochGet(table: string, group: string, memberId: string): GetCommandInput | undefined;
  /** The append of an idempotent producer's batch (lib/log/idempotence.ts). */
  appendIdempotent: typeof appendIdempotent;
  /** The call(s) that settle a transaction: one TransactWriteItems (lib/log/transaction-requests.ts). */
  transactWrite(items: readonly TransactAction[], token: string): { send: string; commands: { readonly input: object }[] };
}

// Arrow wrappers: resolved when called, so import cycles (idempotence → write-batch → here) stay harmless.
export const DEFAULT_BUILDERS: Readonly<Builders> = Object.freeze({
  settlePut: (table: string, item: Record<string, unknown>, returnOld: boolean) => settlePut(table, item, returnOld),
  commitUpdate: (table: string, c: CommitWrite) => commitUpdate(table, c),
  commitIncarnation: (member: Incarnation | undefined) => member,
  placeEpoch: (member: Incarnation, sent: number) => placeEpoch(member, sent),
  retiredEpochGet: (table: string, group: string, memberId: string) => retiredEpochGet(table, group, memberId),
  appendIdempotent: (...args: Parameters<typeof appendIdempotent>) => appendIdempotent(...args),
  transactWrite: (items: readonly TransactAction[], token: string) => transactWrite(items, token),
});

export function buildersOf(ctx: LibContext): Readonly<Builders> {
  return ctx.builders ?? DEFAULT_BUILDERS;
}
