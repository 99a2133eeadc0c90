/**
 * Server-side assignor (KIP-848: the coordinator computes the target).
 * Behaviour: every partition of every subscribed topic goes to exactly one
 * member subscribed to that topic; counts differ by at most one among
 * members with the same subscriptions; and it is sticky — a partition keeps
 * its previous owner unless that owner left, unsubscribed, or holds more
 * than its share. Deterministic for the same input (ties break by member id).
 * Pure: no I/O.
 */

/** `topicId:partition`, the unit of assignment. */
export type PartitionKey = string;

export interface AssignInput {
  /** memberId → subscribed topic ids. */
  members: Record<string, string[]>;
  /** topicId → partition count. */
  partitions: Record<string, number>;
  /** memberId → partitions it had in the previous target. */
  previous: Record<string, PartitionKey[]>;
}

export function partitionKey(topicId: string, partition: number): PartitionKey {
  return `${topicId}:${partition}`;
}

export function parsePartitionKey(key: PartitionKey): { topicId: string; partition: number } {
  const at = key.lastIndexOf(':');
  return { topicId: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

export function assign(input: AssignInput): Record<string, PartitionKey[]> {
  const memberIds = Object.keys(input.members).sort();
  const result: Record<string, PartitionKey[]> = Object.fromEntries(memberIds.map((m) => [m, []]));
  if (memberIds.length === 0) return result;

  const eligible = new Map<PartitionKey, string[]>();
  for (const [topicId, count] of Object.entries(input.partitions).sort(([a], [b]) => a.localeCompare(b))) {
    const subscribers = memberIds.filter((m) => input.members[m]?.includes(topicId));
    if (subscribers.length === 0) continue;
    for (let p = 0; p < count; p++) eligible.set(partitionKey(topicId, p), subscribers);
  }
  const quota = Math.ceil(eligible.size / memberIds.length);
  const load = new Map(memberIds.map((m) => [m, 0]));
  const owner = new Map<PartitionKey, string>();
  const give = (p: PartitionKey, m: string) => {
    owner.set(p, m);
    load.set(m, (load.get(m) ?? 0) + 1);
  };

  // Sticky: keep previous owners while they are eligible and under the quota.
  for (const m of memberIds) {
    for (const p of input.previous[m] ?? []) {
      if (owner.has(p) || !eligible.get(p)?.includes(m) || (load.get(m) ?? 0) >= quota) continue;
      give(p, m);
    }
  }
  // Everything else to the least loaded eligible member.
  for (const [p, candidates] of eligible) {
    if (!owner.has(p)) give(p, leastLoaded(candidates, load));
  }
  // Balance: move from the most to the least loaded eligible member until within one.
  for (let moved = true; moved; ) {
    moved = false;
    for (const [p, candidates] of eligible) {
      const from = owner.get(p) as string;
      const to = leastLoaded(candidates, load);
      if ((load.get(from) ?? 0) - (load.get(to) ?? 0) > 1) {
        load.set(from, (load.get(from) ?? 0) - 1);
        give(p, to);
        moved = true;
      }
    }
  }
  for (const [p, m] of owner) result[m]?.push(p);
  for (const m of memberIds) result[m]?.sort(comparePartitionKeys);
  return result;
}

function leastLoaded(candidates: string[], load: Map<string, number>): string {
  let best = candidates[0] as string;
  for (const m of candidates) if ((load.get(m) ?? 0) < (load.get(best) ?? 0)) best = m;
  return best;
}

export function comparePartitionKeys(a: PartitionKey, b: PartitionKey): number {
  const x = parsePartitionKey(a);
  const y = parsePartitionKey(b);
  return x.topicId === y.topicId ? x.partition - y.partition : x.topicId.localeCompare(y.topicId);
}
