/** Topic admin: `client.topics.*`. */
import type { CreateTopicBody } from '../lib/protocol/requests';
import type { TopicList } from '../lib/protocol/responses';
import { route, type HttpClient } from './http';
import type { ConfigValues, TopicDescription, TopicListing } from './types';
import { checkFields } from './validate';

/** `partitions` defaults to 1. */
export type CreateTopicOptions = CreateTopicBody;

// Config names and values are the server's to check (it knows every name and bound).
const CREATE_FIELDS = { name: 's!', partitions: 'p', configs: 'o' } satisfies Record<keyof CreateTopicOptions, string>;

export class Topics {
  constructor(private readonly http: HttpClient) {}

  /** Creates a topic; TopicAlreadyExists is a ConflictError (code TOPIC_ALREADY_EXISTS). */
  async create(options: CreateTopicOptions): Promise<TopicDescription> {
    return this.http.request({ ...route('createTopic'), body: checkFields(options, CREATE_FIELDS, 'topics.create(options)') });
  }

  async list(): Promise<TopicListing[]> {
    const body = await this.http.request<TopicList>(route('listTopics'));
    return body.topics;
  }

  describe(name: string): Promise<TopicDescription> {
    return this.http.request(route('describeTopic', { topic: name }));
  }

  async delete(name: string): Promise<void> {
    await this.http.request(route('deleteTopic', { topic: name }));
  }

  /** Raises the partition count to `total` (never lowers it). */
  async createPartitions(name: string, total: number): Promise<TopicDescription> {
    checkFields({ total }, { total: 'p!' }, 'topics.createPartitions(name, total)');
    return this.http.request({ ...route('createPartitions', { topic: name }), body: { partitions: total } });
  }

  /** Sets configs; a null value resets that config to its default. Setting values is idempotent. */
  async alterConfigs(name: string, configs: ConfigValues): Promise<TopicDescription> {
    checkFields({ configs }, { configs: 'o!' }, 'topics.alterConfigs(name, configs)');
    return this.http.request({ ...route('alterTopicConfigs', { topic: name }), body: { configs }, idempotent: true });
  }
}
