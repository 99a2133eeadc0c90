/**
 * InitProducerId (v0-4) → lib/log/producer-id.ts: a new producer id at epoch
 * 0, or (v3+, KIP-360) the given id with its epoch bumped, which fences the
 * older instance. Transactional ids are refused: Samsa has no transactions.
 */
import { initProducer } from '../../lib/log/producer-id';
import type { ApiHandler } from '../api';
import { KafkaError, kafkaCode } from '../errors';

export const initProducerId: ApiHandler = {
  key: 22,
  name: 'InitProducerId',
  min: 0,
  max: 4,
  async handle(g, s, req) {
    const none = { throttleTimeMs: 0, producerId: -1n, producerEpoch: -1 };
    if (req.transactionalId !== null) return { ...none, errorCode: KafkaError.INVALID_REQUEST };
    try {
      const existing = (req.producerId as bigint) >= 0n ? String(req.producerId) : undefined;
      const issued = await initProducer(g.lib, s.principal, existing);
      return { throttleTimeMs: 0, errorCode: KafkaError.NONE, producerId: BigInt(issued.producerId), producerEpoch: issued.producerEpoch };
    } catch (err) {
      return { ...none, errorCode: kafkaCode(err, 'cluster') };
    }
  },
};
