/**
 * Analyses a history: every anomaly of docs/checker.md ("Anomalies"), one file per
 * family, each a pure function of the indexed history. Returns one entry
 * per anomaly (count and samples) plus plain statistics of the run.
 */
import type { Op } from '../history';
import { abortedReads } from './aborted-read';
import { assignmentOverlaps } from './assignment-overlap';
import { commitRegressions } from './commit-regression';
import { duplicates } from './duplicate';
import { inconsistentOffsets } from './inconsistent-offsets';
import { lostWrites } from './lost-write';
import { ANOMALIES, buildModel, type AnomalyName, type Finding, type Findings, type Model, type RunFacts } from './model';
import { nonmonotonicPolls, nonmonotonicSends } from './nonmonotonic';
import { eosViolations } from './eos-violation';
import { offsetHoles } from './offset-hole';
import { partialTransactions } from './partial-transaction';
import { pollSkips } from './poll-skip';
import { staleReads } from './stale-read';
import { dlqMismatches, webhookLosses, webhookOrder } from './webhook';

export { ANOMALIES, type AnomalyName, type RunFacts } from './model';

export interface AnomalyResult {
  name: AnomalyName;
  count: number;
  samples: Finding[];
}

export interface Analysis {
  anomalies: AnomalyResult[];
  stats: {
    /** op kind → outcome → count */
    ops: Record<string, Record<string, number>>;
    values: { ok: number; fail: number; info: number };
    /** Partitions the final read covered, and ones it could not read. */
    finalRead: { partitions: number; records: number; missing: string[] };
  };
}

const CHECKS: Record<AnomalyName, (m: Model) => Findings> = {
  'lost-write': lostWrites,
  duplicate: duplicates,
  'inconsistent-offsets': inconsistentOffsets,
  'offset-hole': offsetHoles,
  'nonmonotonic-send': nonmonotonicSends,
  'nonmonotonic-poll': nonmonotonicPolls,
  'poll-skip': pollSkips,
  'aborted-read': abortedReads,
  'stale-read': staleReads,
  'commit-regression': commitRegressions,
  'assignment-overlap': assignmentOverlaps,
  'partial-transaction': partialTransactions,
  'eos-violation': eosViolations,
  'webhook-loss': webhookLosses,
  'webhook-order': webhookOrder,
  'dlq-mismatch': dlqMismatches,
};

export function analyse(ops: Op[], facts: RunFacts): Analysis {
  const model = buildModel(ops, facts);
  const anomalies = ANOMALIES.map((name) => {
    const findings = CHECKS[name](model);
    return { name, count: findings.count, samples: findings.samples };
  });
  const opStats: Record<string, Record<string, number>> = {};
  for (const op of ops) {
    const kind = op.f === 'fetch' && op.final ? 'final-read' : op.f;
    const row = (opStats[kind] ??= {});
    row[op.outcome] = (row[op.outcome] ?? 0) + 1;
  }
  const values = { ok: 0, fail: 0, info: 0 };
  for (const v of model.values.values()) values[v.status]++;
  const expected = facts.topics.flatMap((t) =>
    Array.from({ length: t.partitions }, (_, p) => [...model.finalReads.keys()].find((k) => k.startsWith(`${t.name}/`) && k.endsWith(`/${p}`) && model.isFinal(k)) ?? `${t.name}/?/${p}`),
  );
  const missing = expected.filter((k) => !model.finalReads.has(k));
  let records = 0;
  for (const pages of model.finalReads.values()) for (const p of pages) records += p.records?.length ?? 0;
  return { anomalies, stats: { ops: opStats, values, finalRead: { partitions: model.finalReads.size, records, missing } } };
}
