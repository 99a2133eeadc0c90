/** Wire schema of InitProducerId. */
import * as z from 'zod/mini';

export const initProducerBody = z.strictObject({
  /** Bump this producer's epoch instead of minting a new id. */
  producerId: z.optional(z.string()),
});
