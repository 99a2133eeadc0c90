/** Shapes of the server's answers, as the SDK returns them. */
import type { Data, Header } from './data';

export interface TopicListing {
  name: string;
  topicId: string;
  partitions: number;
}

export interface TopicConfig {
  name: string;
  value: string;
  source: 'topic' | 'default';
}

export interface TopicDescription {
  name: string;
  topicId: string;
  partitions: { partition: number }[];
  configs: TopicConfig[];
  /** ISO 8601. */
  createdAt: string;
}

/** A config value to set; null resets it to the default. */
export type ConfigValues = Record<string, string | number | null>;

export interface PartitionOffsets {
  partition: number;
  logStartOffset: number;
  /** The stable end: every offset below it holds a record or lies in an aborted range. */
  highWatermark: number;
}

export interface OffsetLookup extends PartitionOffsets {
  /** The offset asked for; null when no record has a timestamp at or after the one given. */
  offset: number | null;
  /** The found record's timestamp, for timestamp lookups. */
  timestamp?: number;
}

/** Where a produced record landed. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Data | null;
  value: Data | null;
  headers: Header[];
}

export interface FetchResult {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** The offset to fetch next. */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
  /** Offsets `[from, to)` of writers that died before they were acknowledged; they hold no records. */
  abortedRanges: { from: number; to: number }[];
}

export interface ProducerIdentity {
  producerId: string;
  producerEpoch: number;
}
