/** Shapes of the server's answers, as the SDK returns them. */
import type { Data, Header } from './data';

export interface TopicListing {
  name: string;
  topicId: string;
  partitions: number;
}

// Answer shapes the server declares once; types only, no runtime code.
export type { DescribedConfig as TopicConfig, OffsetLookup, PartitionOffsets, TopicDescription } from '../lib/protocol/responses';

/** A config value to set; null resets it to the default. */
export type ConfigValues = Record<string, string | number | null>;

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
  /** The incarnation the records came from; a topic deleted and re-created under the same name has another id. */
  topicId: string;
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
