/** Shapes of the server's answers, as the SDK returns them. */
import type { Data, Header } from './data';

// Shapes the protocol declares once (lib/protocol); types only, no runtime code.
export type {
  DescribedConfig as TopicConfig,
  OffsetLookup,
  PartitionOffsets,
  ProducerIdentity,
  TopicDescription,
  TopicListing,
} from '../lib/protocol/responses';
/** A config value to set; null resets it to the default. */
export type { ConfigValues } from '../lib/protocol/requests';

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
