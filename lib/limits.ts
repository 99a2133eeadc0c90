/**
 * Every bound Samsa enforces, in one place, with the AWS limit each one keeps
 * us under. Deployments may override the overridable ones through config
 * (functions/config.ts); lib code receives the resolved values.
 */

const MiB = 1024 * 1024;

export interface Limits {
  /** Largest request body accepted. Lambda's synchronous payload cap is 6 MB for the whole event. */
  maxRequestBytes: number;
  /** Records in one produce request. */
  maxRecordsPerRequest: number;
  /** Largest response body; Lambda caps synchronous responses at 6 MB. */
  maxResponseBytes: number;
  /** Long-poll bound; API Gateway HTTP APIs time out at 30 s. */
  maxWaitMs: number;
  /** Partitions a topic may have; each partition is one DynamoDB partition key (~1 MB/s write). */
  maxPartitionsPerTopic: number;
  /**
   * Topics one deployment may have. Checked when a topic is created (a COUNT
   * Query of the registry, ~0.5 RRU per 4 KB of topic items), so two racing
   * creates can end one above it.
   */
  maxTopics: number;
  /** Members one consumer group may have. */
  maxMembersPerGroup: number;
  /** Largest `max.message.bytes` a topic may configure. */
  maxMessageBytesCeiling: number;
  /**
   * How long a reservation may stay unwritten before readers close it with an
   * abort marker: the most a reader ever waits behind a dead writer. Must
   * exceed the produce function's timeout; writers give up before it.
   */
  abortAfterMs: number;
  /** Clock skew tolerated between handler instances, added on both sides of the abort bound. */
  maxClockSkewMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxRequestBytes: 5 * MiB,
  maxRecordsPerRequest: 10_000,
  maxResponseBytes: 5 * MiB,
  maxWaitMs: 20_000,
  maxPartitionsPerTopic: 1_024,
  maxTopics: 1_000,
  maxMembersPerGroup: 500,
  maxMessageBytesCeiling: 4 * MiB,
  abortAfterMs: 15_000,
  maxClockSkewMs: 1_000,
});

/** Kafka's topic name rule. */
export const TOPIC_NAME_PATTERN = /^[A-Za-z0-9._-]{1,249}$/;
