/**
 * Push subscriptions (docs/subscriptions.md), checked from what the
 * checker's webhook receiver got (`webhook` ops, in arrival order), the final
 * read of the source topic and the final read of the dead-letter topic
 * (`dlq-read`, with headers):
 * - webhook-loss: a record of the source topic that the receiver never
 *   answered 2xx for and that is not in the dead-letter topic; a post whose
 *   signature does not verify; a post carrying a record that is not the
 *   source topic's record at that offset.
 * - webhook-order: a post whose records are not the partition's consecutive
 *   records in ascending order, or that arrives while a record of its
 *   partition below its first was never posted (delivery skipped ahead;
 *   re-posting earlier offsets is at-least-once and allowed). Offsets
 *   without a record (aborted ranges) need no post.
 * - dlq-mismatch: a dead-letter record without the documented headers
 *   (error, attempts = maxAttempts, subscription, source topic, partition,
 *   offset), or one that is not the source record those headers name.
 * At-least-once: a record may be delivered several times, and also be
 * dead-lettered (a 2xx whose commit was lost, then failing attempts).
 */
import type { DlqReadOp, WebhookOp } from '../history';
import { Findings, type Model } from './model';

const H = { error: 'samsa-dlq-error', attempts: 'samsa-dlq-attempts', subscription: 'samsa-dlq-subscription', topic: 'samsa-dlq-topic', partition: 'samsa-dlq-partition', offset: 'samsa-dlq-offset' };

interface Views {
  hook: NonNullable<Model['facts']['webhook']>;
  /** partition → offset → value, from the source topic's final read. */
  source: Map<number, Map<number, string>>;
  posts: WebhookOp[];
  dlq: NonNullable<DlqReadOp['records']>;
}

function views(m: Model): Views | undefined {
  const hook = m.facts.webhook;
  if (hook === undefined) return undefined;
  const source = new Map<number, Map<number, string>>();
  for (const [key, pages] of m.finalReads) {
    const [topic, , p] = key.split('/');
    if (topic !== hook.topic || !m.isFinal(key)) continue;
    const byOffset = new Map<number, string>();
    for (const page of pages) for (const [o, v] of page.records ?? []) if (v !== null) byOffset.set(o, v);
    source.set(Number(p), byOffset);
  }
  const posts = m.ops.filter((op): op is WebhookOp => op.f === 'webhook' && op.subscription === hook.subscription).sort((a, b) => a.invokeAt - b.invokeAt);
  const dlq = m.ops.filter((op): op is DlqReadOp => op.f === 'dlq-read' && op.outcome === 'ok' && op.topic === hook.deadLetterTopic).flatMap((op) => op.records ?? []);
  return { hook, source, posts, dlq };
}

const is2xx = (a: WebhookOp['answer']) => typeof a === 'number' && a >= 200 && a < 300;

export function webhookLosses(m: Model): Findings {
  const found = new Findings();
  const v = views(m);
  if (v === undefined) return found;
  const delivered = new Set<string>();
  for (const post of v.posts) {
    if (!post.signed) found.add({ kind: 'bad-signature', partition: post.partition, offsets: post.records.map(([o]) => o), op: post.id });
    const known = v.source.get(post.partition);
    for (const [o, value] of post.records) {
      if (known !== undefined && known.get(o) !== value) found.add({ kind: 'wrong-record', partition: post.partition, offset: o, posted: value, inTopic: known.get(o) ?? null, op: post.id });
      if (is2xx(post.answer) && post.signed) delivered.add(`${post.partition}/${o}`);
    }
  }
  const deadLettered = new Set(v.dlq.map((r) => `${r.headers[H.partition]}/${r.headers[H.offset]}`));
  for (const [p, records] of v.source) {
    for (const [o, value] of records) {
      if (delivered.has(`${p}/${o}`) || deadLettered.has(`${p}/${o}`)) continue;
      const attempts = v.posts.filter((x) => x.partition === p && x.records.some(([ro]) => ro === o)).map((x) => ({ op: x.id, answer: x.answer ?? null }));
      found.add({ kind: 'neither-delivered-nor-dead-lettered', topic: v.hook.topic, partition: p, offset: o, value, posts: attempts.slice(0, 10) });
    }
  }
  return found;
}

export function webhookOrder(m: Model): Findings {
  const found = new Findings();
  const v = views(m);
  if (v === undefined) return found;
  // Per partition: the source topic's record offsets in order (aborted offsets hold none), and how many were posted at least once.
  const offsets = new Map([...v.source].map(([p, records]) => [p, [...records.keys()].sort((a, b) => a - b)]));
  const posted = new Map<number, Set<number>>();
  const reached = new Map<number, number>();
  for (const post of v.posts) {
    const all = offsets.get(post.partition) ?? [];
    const got = post.records.map(([o]) => o);
    // Consecutive records of the partition: ascending, and no record of the topic left out between two of them.
    const bad = got.findIndex((o, i) => i > 0 && (o <= got[i - 1]! || all.some((x) => x > got[i - 1]! && x < o)));
    if (bad > 0) found.add({ kind: 'batch-not-consecutive', partition: post.partition, offsets: got.slice(0, 20), op: post.id });
    if (got.length === 0) continue;
    const seen = posted.get(post.partition) ?? new Set<number>();
    posted.set(post.partition, seen);
    let i = reached.get(post.partition) ?? 0;
    while (i < all.length && seen.has(all[i]!)) i++;
    reached.set(post.partition, i);
    if (i < all.length && all[i]! < got[0]!) found.add({ kind: 'skipped-ahead', partition: post.partition, first: got[0], neverPostedBefore: all[i], op: post.id });
    for (const o of got) seen.add(o);
  }
  return found;
}

export function dlqMismatches(m: Model): Findings {
  const found = new Findings();
  const v = views(m);
  if (v === undefined) return found;
  for (const r of v.dlq) {
    const h = r.headers;
    const wrong: string[] = [];
    if (typeof h[H.error] !== 'string' || h[H.error] === '') wrong.push(H.error);
    if (h[H.attempts] !== String(v.hook.maxAttempts)) wrong.push(H.attempts);
    if (h[H.subscription] !== v.hook.subscription) wrong.push(H.subscription);
    if (h[H.topic] !== v.hook.topic) wrong.push(H.topic);
    const p = Number(h[H.partition]);
    const o = Number(h[H.offset]);
    if (!Number.isSafeInteger(p) || !v.source.has(p)) wrong.push(H.partition);
    else if (!Number.isSafeInteger(o) || v.source.get(p)!.get(o) !== r.value) wrong.push(`${H.offset} (no such source record with this value)`);
    if (wrong.length > 0) found.add({ kind: 'bad-dead-letter', dlqOffset: r.offset, value: r.value, headers: h, wrong });
  }
  return found;
}
