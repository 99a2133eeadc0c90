/** Topic admin: `client.topics.*`. */
import { path, type HttpClient } from './http';
import type { ConfigValues, TopicDescription, TopicListing } from './types';

export interface CreateTopicOptions {
  name: string;
  /** Default 1. */
  partitions?: number;
  configs?: ConfigValues;
}

export class Topics {
  constructor(private readonly http: HttpClient) {}

  /** Creates a topic; TopicAlreadyExists is a ConflictError (code TOPIC_ALREADY_EXISTS). */
  create(options: CreateTopicOptions): Promise<TopicDescription> {
    return this.http.request({ method: 'POST', path: '/v1/topics', body: options });
  }

  async list(): Promise<TopicListing[]> {
    const body = await this.http.request<{ topics: TopicListing[] }>({ method: 'GET', path: '/v1/topics' });
    return body.topics;
  }

  describe(name: string): Promise<TopicDescription> {
    return this.http.request({ method: 'GET', path: path`/v1/topics/${name}` });
  }

  async delete(name: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: path`/v1/topics/${name}` });
  }

  /** Raises the partition count to `total` (never lowers it). */
  createPartitions(name: string, total: number): Promise<TopicDescription> {
    return this.http.request({ method: 'POST', path: path`/v1/topics/${name}/partitions`, body: { partitions: total } });
  }

  /** Sets configs; a null value resets that config to its default. Setting values is idempotent. */
  alterConfigs(name: string, configs: ConfigValues): Promise<TopicDescription> {
    return this.http.request({ method: 'PATCH', path: path`/v1/topics/${name}/configs`, body: { configs }, idempotent: true });
  }
}
