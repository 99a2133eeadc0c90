/**
 * Planted bugs for the checker's self-test: each names one storage request
 * builder or fencing rule (lib/builders.ts) replaced by a broken one, so a
 * run of the real engine with that set must report the anomalies it causes
 * (test/checker/self-test.test.ts, `--sabotage a,b`). Production code has
 * no branch for any of them: it only ever sees a builder set. Push
 * subscriptions take no builders; their sabotages replace a delivery port
 * instead (TRANSPORT_SABOTAGES, wired by stack/push.ts).
 */
import { DEFAULT_BUILDERS, type Builders } from '../lib/builders';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { append } from '../lib/log/append';
import type { WebhookTransport } from '../lib/subscriptions/ports';

export const SABOTAGES = {
  /** Batch puts and abort markers overwrite whatever settled their seq (no `attribute_not_exists`). */
  unconditionalSettle: { settlePut: (table, item) => ({ TableName: table, Item: item }) },
  /** Commits skip the ownership fence: zombies and removed members can move offsets. */
  unfencedCommit: {
    commitIncarnation: (_member, sent) => ({ joinEpoch: 0, epoch: sent }),
    commitUpdate: (table, c) => ({
      ...DEFAULT_BUILDERS.commitUpdate(table, c),
      ConditionExpression: '(#owner = :m AND ownerEpoch BETWEEN :join AND :e) OR attribute_exists(#owner) OR attribute_not_exists(#owner)',
    }),
  },
  /** Idempotent produce is treated as plain produce: retries are written again. */
  ignoreIdempotence: { appendIdempotent: (ctx, ref, records, _batch, expectedOffset) => append(ctx, ref, records, expectedOffset === undefined ? {} : { expectedOffset }) },
  /** Ended member incarnations are forgotten: a re-joined member id may reuse old epochs, so its zombie can commit. */
  forgetIncarnations: { retiredEpochGet: () => undefined, placeEpoch: () => 'current' },
  /** A transaction's writes are sent one by one instead of in one TransactWriteItems: a failure between them leaves part of it visible. */
  splitTransaction: {
    transactWrite: (items) => ({
      send: 'one-by-one',
      commands: items.map((i) => {
        const { ReturnValuesOnConditionCheckFailure: _, ...put } = ((i as { Put?: Record<string, unknown> }).Put ?? {}) as Record<string, unknown>;
        return (i as { Put?: unknown }).Put !== undefined ? new PutCommand(put as never) : new UpdateCommand((i as { Update: never }).Update);
      }),
    }),
  },
} satisfies Record<string, Partial<Builders>>;

/** Broken webhook transports: delivery trusts what the port reports. */
export const TRANSPORT_SABOTAGES = {
  /** Reports 200 before the receiver answered (the post goes on in the background): delivery commits batches the receiver refused. */
  ackBeforeAnswer: (inner: WebhookTransport): WebhookTransport => ({
    async post(req) {
      void inner.post(req).catch(() => undefined);
      return { status: 200 };
    },
  }),
} satisfies Record<string, (inner: WebhookTransport) => WebhookTransport>;

export type SabotageName = keyof typeof SABOTAGES | keyof typeof TRANSPORT_SABOTAGES;
export type Sabotage = Partial<Record<SabotageName, boolean>>;

/** The default builders with every named sabotage applied; an unknown name is an error. */
export function sabotagedBuilders(sabotage: Sabotage): Builders {
  let builders: Builders = { ...DEFAULT_BUILDERS };
  for (const [name, on] of Object.entries(sabotage)) {
    if (!on || name in TRANSPORT_SABOTAGES) continue;
    if (!(name in SABOTAGES)) throw new Error(`unknown sabotage '${name}'; known: ${[...Object.keys(SABOTAGES), ...Object.keys(TRANSPORT_SABOTAGES)].join(', ')}`);
    builders = { ...builders, ...(SABOTAGES[name as keyof typeof SABOTAGES] as Partial<Builders>) };
  }
  return builders;
}

/** The transport with every named transport sabotage applied. */
export function sabotagedTransport(transport: WebhookTransport, sabotage: Sabotage): WebhookTransport {
  let t = transport;
  for (const [name, on] of Object.entries(sabotage)) if (on && name in TRANSPORT_SABOTAGES) t = TRANSPORT_SABOTAGES[name as keyof typeof TRANSPORT_SABOTAGES](t);
  return t;
}
