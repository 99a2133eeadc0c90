/**
 * Partition counts of topics, fetched with describe and cached for
 * `maxAgeMs`, so the producer can pick partitions (and count sequence
 * numbers) on the client. One lookup at a time per topic; a failed lookup
 * is not cached.
 */
import type { TopicDescription } from './types';

export interface TopicMetadata {
  partitions: number;
  fetchedAt: number;
}

export class MetadataCache {
  private readonly known = new Map<string, TopicMetadata>();
  private readonly loading = new Map<string, Promise<TopicMetadata>>();

  constructor(
    private readonly describe: (topic: string) => Promise<TopicDescription>,
    private readonly maxAgeMs: number,
  ) {}

  /** The cached metadata while it is fresh. */
  fresh(topic: string): TopicMetadata | undefined {
    const meta = this.known.get(topic);
    return meta !== undefined && Date.now() - meta.fetchedAt < this.maxAgeMs ? meta : undefined;
  }

  load(topic: string): Promise<TopicMetadata> {
    let pending = this.loading.get(topic);
    if (pending === undefined) {
      pending = this.describe(topic)
        .then((d) => {
          const meta = { partitions: d.partitions.length, fetchedAt: Date.now() };
          this.known.set(topic, meta);
          return meta;
        })
        .finally(() => this.loading.delete(topic));
      this.loading.set(topic, pending);
    }
    return pending;
  }
}
