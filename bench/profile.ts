/**
 * What each mode runs. `full` runs every scenario and the whole HTTP grid
 * within about six minutes on 2 shared cores (one contention round, 1 MB per
 * grid cell); `quick` (for development) runs every scenario on fewer records
 * and a subset of the grid, and writes bench/results/quick/ instead of the
 * committed results and the docs pages.
 */
import type { CompressionType } from '../lib/topics/configs';

export type Mode = 'quick' | 'full';

export interface GridCell {
  recordsPerRequest: number;
  recordBytes: number;
}

export interface Profile {
  mode: Mode;
  /** Original scenarios: multiplier on their request counts (1 = unchanged). */
  legacyScale: number;
  /** Contention: rounds (levels up, then down) and batches per level and round. */
  contentionRounds: number;
  contentionBatches: number;
  grid: {
    cells: GridCell[];
    codecs: CompressionType[];
    /** Each cell sends about this many record bytes … */
    targetBytes: number;
    /** … in at least / at most this many requests … */
    minRequests: number;
    maxRequests: number;
    /** … and 1 KB cells (the cost model's) at least this many records, so the read-back makes full fetches. */
    minCostRecords: number;
    /** Raw-floor puts per cell (the floor is DynamoDB's, a sample is enough). */
    rawMaxBatches: number;
    maxMsPerCell: number;
    readBackPasses: number;
  };
  fetch: { records: number; recordsPerBatch: number; passes: number; groupPasses: number; idleWaitMs: number };
  scaleOut: { partitions: number[]; producers: number; requests: number; rounds: number };
  bundles: { loadRepeats: number };
  /** Offset for a timestamp: records in the partition (written in batches of recordsPerBatch), measured at a tenth of them and at all. */
  offsetsByTime: { records: number; recordsPerBatch: number };
  /** Kafka gateway: records produced by KafkaJS in batches, then consumed. */
  kafka: { records: number; recordsPerBatch: number };
}

const B = 1024;

/** The full grid: batch sizes 1, 10, 100, 1,000 × 100 B, 1 KB, 10 KB, plus 64 × 1 KB (64 KB batches, the cost headline). */
export const FULL_CELLS: GridCell[] = [
  ...[1, 10, 100, 1000].flatMap((n) => [100, B, 10 * B].map((bytes) => ({ recordsPerRequest: n, recordBytes: bytes }))),
  { recordsPerRequest: 64, recordBytes: B },
];

export const PROFILES: Record<Mode, Profile> = {
  full: {
    mode: 'full',
    legacyScale: 0.5,
    contentionRounds: 1,
    contentionBatches: 320,
    grid: {
      cells: FULL_CELLS,
      codecs: ['none', 'gzip'],
      targetBytes: B * B / 2,
      minRequests: 20,
      maxRequests: 60,
      minCostRecords: 640,
      rawMaxBatches: 100,
      maxMsPerCell: 6_000,
      readBackPasses: 1,
    },
    fetch: { records: 10_240, recordsPerBatch: 64, passes: 2, groupPasses: 1, idleWaitMs: 3_000 },
    scaleOut: { partitions: [1, 4, 16], producers: 16, requests: 240, rounds: 1 },
    bundles: { loadRepeats: 3 },
    offsetsByTime: { records: 100_000, recordsPerBatch: 100 },
    kafka: { records: 20_000, recordsPerBatch: 100 },
  },
  quick: {
    mode: 'quick',
    legacyScale: 0.3,
    contentionRounds: 1,
    contentionBatches: 320,
    grid: {
      cells: [
        { recordsPerRequest: 1, recordBytes: B },
        { recordsPerRequest: 64, recordBytes: B },
        { recordsPerRequest: 100, recordBytes: 100 },
        { recordsPerRequest: 1000, recordBytes: B },
      ],
      codecs: ['none', 'gzip'],
      targetBytes: B * B,
      minRequests: 10,
      maxRequests: 100,
      minCostRecords: 500,
      rawMaxBatches: 60,
      maxMsPerCell: 8_000,
      readBackPasses: 1,
    },
    fetch: { records: 4_096, recordsPerBatch: 64, passes: 1, groupPasses: 1, idleWaitMs: 1_500 },
    scaleOut: { partitions: [1, 4, 16], producers: 16, requests: 192, rounds: 1 },
    bundles: { loadRepeats: 2 },
    offsetsByTime: { records: 20_000, recordsPerBatch: 100 },
    kafka: { records: 5_000, recordsPerBatch: 100 },
  },
};

export const sizeName = (bytes: number) => (bytes >= B ? `${bytes / B}KB` : `${bytes}B`);
export const cellName = (c: GridCell) => `${c.recordsPerRequest}×${sizeName(c.recordBytes)}`;
