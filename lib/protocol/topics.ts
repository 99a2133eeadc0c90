/** Wire schemas of the topic admin API (also the source of the OpenAPI document). */
import * as z from 'zod/mini';

export const configValues = z.record(z.string(), z.nullable(z.union([z.string(), z.number()])));

export const createTopicBody = z.strictObject({
  name: z.string(),
  partitions: z.optional(z.int()),
  configs: z.optional(configValues),
});
export type CreateTopicBody = z.infer<typeof createTopicBody>;

export const createPartitionsBody = z.strictObject({
  /** The new total, as in Kafka's CreatePartitions. */
  partitions: z.int(),
});

export const alterConfigsBody = z.strictObject({
  configs: configValues,
});
