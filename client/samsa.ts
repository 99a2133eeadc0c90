/**
 * The Samsa client: topic and group admin, the producer, and consumers (group
 * members and stateless partition readers) over the HTTP API. Holds no
 * connections of its own; the platform `fetch` does.
 */
import type { DeleteRecordsResponse, FetchResponse, HealthResponse, TopicOffsets, WhoamiResponse } from '../lib/protocol/responses';
import { Acls, ApiKeys } from './auth';
import { fromWire, headersFromWire } from './data';
import { GroupConsumer, type GroupConsumerOptions } from './group-consumer';
import { Groups } from './groups';
import { HttpClient, route, type HeadersHook } from './http';
import { PartitionConsumer, type FetchRequest, type PartitionConsumerOptions } from './partition-consumer';
import { Producer, type ProducerOptions } from './producer';
import { retryOptions, type RetryOptions } from './retry';
import { Subscriptions } from './subscriptions';
import { Topics } from './topics';
import type { FetchResult, OffsetLookup, PartitionOffsets, ProducerIdentity } from './types';
import { checkFields } from './validate';

export interface SamsaOptions {
  /** Base URL of the API, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com` or `http://127.0.0.1:4000`. */
  url: string;
  /**
   * Sent as `Authorization: Bearer <apiKey>` on every request (`samsa_…`, from
   * `samsa keys create`, or the local stack's `.samsa/dev-key`). Kept out of
   * error messages; an `authorization` header from `headers` takes precedence.
   */
  apiKey?: string;
  /** Called before every request (and retry), e.g. to add a fresh `authorization` header. */
  headers?: HeadersHook;
  /** Per attempt; long polls add their `maxWaitMs`. Default 30,000 ms. */
  timeoutMs?: number;
  /** Defaults to the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Retries of retriable errors. Default 5 retries, 100 ms first backoff cap, 5 s cap. */
  retry?: Partial<RetryOptions>;
}

// url and apiKey have checks of their own (TypeErrors the CLI reports as usage errors).
const SAMSA_OPTIONS = { url: 'a', apiKey: 'a', headers: 'f', timeoutMs: 'p', fetch: 'f', retry: 'o' } satisfies Record<keyof SamsaOptions, string>;

export interface FetchOptions {
  topic: string;
  partition: number;
  offset: number;
  /** Default 500. */
  maxRecords?: number;
  /** Default 1 MiB. */
  maxBytes?: number;
  /** Long poll at the end of the log. Default 0. */
  maxWaitMs?: number;
  /** Every key and value as BINARY. */
  binary?: boolean;
  /**
   * Read only the topic incarnation with this id (`topicId` of describe or an
   * earlier fetch); a topic deleted or re-created since throws UnknownTopicIdError.
   */
  topicId?: string;
  signal?: AbortSignal;
}

const FETCH_FIELDS = {
  topic: 's!',
  partition: 'i!',
  offset: 'i!',
  maxRecords: 'p',
  maxBytes: 'p',
  maxWaitMs: 'i',
  binary: 'b',
  topicId: 's',
  signal: 'a',
} satisfies Record<keyof FetchOptions, string>;

export class Samsa {
  readonly topics: Topics;
  readonly groups: Groups;
  /** API keys: create, list, revoke. */
  readonly keys: ApiKeys;
  /** ACL bindings: create, list, delete. */
  readonly acls: Acls;
  /** Push subscriptions to webhooks: create, list, describe, pause, resume, delete. */
  readonly subscriptions: Subscriptions;
  private readonly http: HttpClient;

  constructor(options: SamsaOptions) {
    if (typeof options?.url !== 'string' || !/^https?:\/\//.test(options.url)) {
      throw new TypeError(`url must be an http(s) URL; got ${JSON.stringify(options?.url)}.`);
    }
    checkFields(options, SAMSA_OPTIONS, 'new Samsa(options)');
    if (options.fetch === undefined && typeof globalThis.fetch !== 'function') throw new TypeError('No global fetch: pass options.fetch.');
    this.http = new HttpClient({
      url: options.url,
      headers: withApiKey(options.apiKey, options.headers),
      timeoutMs: options.timeoutMs ?? 30_000,
      // Called through globalThis: a detached `fetch` throws "Illegal invocation" in browsers.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      retry: retryOptions(options.retry),
    });
    this.topics = new Topics(this.http);
    this.groups = new Groups(this.http);
    this.keys = new ApiKeys(this.http);
    this.acls = new Acls(this.http);
    this.subscriptions = new Subscriptions(this.http);
  }

  /** The principal the credentials belong to (`anonymous` on a server without authentication). */
  whoami(): Promise<WhoamiResponse> {
    return this.http.request(route('whoami'));
  }

  health(): Promise<HealthResponse> {
    return this.http.request(route('health'));
  }

  /**
   * The WebSocket notification endpoint the server names in its health answer, for
   * `new Notifications({ url })` (docs/push.md); undefined when the deployment has none (then poll).
   */
  async notificationsUrl(): Promise<string | undefined> {
    return (await this.health()).pushUrl;
  }

  /** The API as an OpenAPI 3.1 document. */
  openapi(): Promise<Record<string, unknown>> {
    return this.http.request(route('openApi'));
  }

  /** The log start (`earliest`), the high watermark (`latest`), or the first offset with a timestamp ≥ a time in ms. */
  listOffsets(topic: string, partition: number, at: 'earliest' | 'latest' | number | Date = 'latest', signal?: AbortSignal): Promise<OffsetLookup> {
    const query = { at: at instanceof Date ? at.getTime() : at };
    return this.http.request({ ...route('listOffsets', { topic, partition }), query, signal });
  }

  /** Log start and high watermark of every partition. */
  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const body = await this.http.request<TopicOffsets>(route('topicOffsets', { topic }));
    return body.partitions;
  }

  /** Moves the partition's log start to `before` (Kafka DeleteRecords). */
  deleteRecords(topic: string, partition: number, before: number): Promise<DeleteRecordsResponse> {
    return this.http.request({ ...route('deleteRecords', { topic, partition }), query: { before } });
  }

  /** One fetch from an offset; keys and values come back typed (see `Data`). */
  async fetchRecords(options: FetchOptions): Promise<FetchResult> {
    checkFields(options, FETCH_FIELDS, 'samsa.fetchRecords(options)');
    const maxWaitMs = options.maxWaitMs ?? 0;
    const body = await this.http.request<FetchResponse>({
      ...route('fetch', { topic: options.topic, partition: options.partition }),
      query: {
        offset: options.offset,
        maxRecords: options.maxRecords,
        maxBytes: options.maxBytes,
        maxWaitMs: maxWaitMs === 0 ? undefined : maxWaitMs,
        encoding: options.binary === true ? 'binary' : undefined,
        topicId: options.topicId,
      },
      signal: options.signal,
      extraTimeoutMs: maxWaitMs,
    });
    return {
      topic: options.topic,
      topicId: body.topicId,
      partition: options.partition,
      records: body.records.map((r) => ({
        topic: options.topic,
        partition: options.partition,
        offset: r.offset,
        timestamp: r.timestamp,
        key: fromWire(r.key),
        value: fromWire(r.value),
        headers: headersFromWire(r.headers),
      })),
      nextOffset: body.nextOffset,
      highWatermark: body.highWatermark,
      logStartOffset: body.logStartOffset,
      abortedRanges: body.abortedRanges,
    };
  }

  /** A new idempotent producer id, or the next epoch of an existing one (fencing its older instances). */
  initProducerId(producerId?: string): Promise<ProducerIdentity> {
    return this.http.request({ ...route('initProducer'), body: producerId === undefined ? undefined : { producerId } });
  }

  producer(options?: ProducerOptions): Producer {
    return new Producer(this.http, (topic) => this.topics.describe(topic), options);
  }

  /** A member of a consumer group: the server assigns it partitions; it commits what it consumed. */
  consumer(options: GroupConsumerOptions): GroupConsumer {
    return new GroupConsumer(this.http, options);
  }

  /** A stateless reader of one partition from an offset. */
  partitionConsumer(options: PartitionConsumerOptions): PartitionConsumer {
    return new PartitionConsumer(
      {
        fetchRecords: (request: FetchRequest) => this.fetchRecords(request),
        listOffsets: (topic, partition, at, signal) => this.listOffsets(topic, partition, at, signal),
      },
      options,
    );
  }
}

/**
 * The headers hook with the API key added. The key lives only in this
 * closure, not on any property, so inspecting or logging the client does not
 * show it.
 */
function withApiKey(apiKey: string | undefined, hook: HeadersHook | undefined): HeadersHook | undefined {
  if (apiKey === undefined) return hook;
  // Printable ASCII without spaces: anything else cannot be a header value (and is never echoed here).
  if (typeof apiKey !== 'string' || !/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new TypeError('apiKey must be a non-empty string of printable ASCII characters without spaces.');
  }
  const authorization = `Bearer ${apiKey}`;
  return async () => {
    const extra = (await hook?.()) ?? {};
    return Object.keys(extra).some((name) => name.toLowerCase() === 'authorization') ? extra : { authorization, ...extra };
  };
}
