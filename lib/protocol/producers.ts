/** Wire schema of InitProducerId, asserted to infer exactly InitProducerBody (./requests.ts). */
import * as z from 'zod/mini';
import type { InitProducerBody } from './requests';
import type { Equal } from './response-schemas';

export const initProducerBody = z.strictObject({
  /** Bump this producer's epoch instead of minting a new id. */
  producerId: z.optional(z.string()),
});

const _checks: { initProducerBody: Equal<z.infer<typeof initProducerBody>, InitProducerBody> } = { initProducerBody: true };
void _checks;
