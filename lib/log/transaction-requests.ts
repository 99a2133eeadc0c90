/**
 * The request that settles a transaction (transaction-commit.ts): ONE
 * TransactWriteItems holding every batch put, commit and producer state
 * claim, with the ClientRequestToken that makes its retries idempotent.
 * Returned as a list of commands so the checker's self-test can swap in a
 * broken builder that sends the same writes one by one (lib/builders.ts,
 * checker/sabotage.ts `splitTransaction`); the default is always one call.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

export type TransactAction = Record<string, unknown>;

export function transactWrite(items: readonly TransactAction[], token: string): { send: 'one-call'; commands: TransactWriteCommand[] } {
  return { send: 'one-call', commands: [new TransactWriteCommand({ TransactItems: items as never, ClientRequestToken: token })] };
}
