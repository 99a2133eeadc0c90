/**
 * Wire schemas of the topic admin API (also the source of the OpenAPI
 * document), each asserted at compile time to infer exactly its plain
 * interface in ./requests.ts (re-exported here for server code).
 */
import * as z from 'zod/mini';
import type { AlterConfigsBody, ConfigValues, CreatePartitionsBody, CreateTopicBody } from './requests';
import type { Equal } from './response-schemas';

export type { AlterConfigsBody, ConfigValues, CreatePartitionsBody, CreateTopicBody } from './requests';

export const configValues = z.record(z.string(), z.nullable(z.union([z.string(), z.number()])));

export const createTopicBody = z.strictObject({
  name: z.string(),
  partitions: z.optional(z.int()),
  configs: z.optional(configValues),
});

export const createPartitionsBody = z.strictObject({
  /** The new total, as in Kafka's CreatePartitions. */
  partitions: z.int(),
});

export const alterConfigsBody = z.strictObject({
  configs: configValues,
});

// Compile-time: each schema infers exactly the plain type the SDK uses.
const _checks: {
  configValues: Equal<z.infer<typeof configValues>, ConfigValues>;
  createTopicBody: Equal<z.infer<typeof createTopicBody>, CreateTopicBody>;
  createPartitionsBody: Equal<z.infer<typeof createPartitionsBody>, CreatePartitionsBody>;
  alterConfigsBody: Equal<z.infer<typeof alterConfigsBody>, AlterConfigsBody>;
} = { configValues: true, createTopicBody: true, createPartitionsBody: true, alterConfigsBody: true };
void _checks;
