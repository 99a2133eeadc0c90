/**
 * The Kafka listener of `npm start` (local/start.ts): the gateway on the
 * local stack's lib context, authenticating SASL/PLAIN passwords as API keys
 * when the stack has keys on, under the same per-principal quota buckets as
 * the HTTP API. The default port (9092) being taken is not
 * fatal — the HTTP stack still starts, without Kafka, and says so — since
 * another local stack or a real Kafka may hold it; a port asked for with
 * --kafka-port must be free.
 */
import { ApiKeyAuthenticator } from '../lib/auth/authenticate';
import type { PrincipalQuota } from '../lib/auth/quota';
import type { LibContext } from '../lib/context';
import { startKafkaGateway, type KafkaGateway } from './server';

export const DEFAULT_KAFKA_PORT = 9092;

export async function startLocalKafka(
  lib: LibContext,
  options: { port: number | undefined; host: string; authMode: string; cacheMs: number; quota?: PrincipalQuota | undefined },
): Promise<{ gateway?: KafkaGateway; message: string }> {
  if (options.authMode === 'jwt') return { message: 'Kafka protocol: off (JWT auth mode; the gateway authenticates API keys only).' };
  const authenticator = options.authMode === 'none' ? undefined : new ApiKeyAuthenticator(lib, options.cacheMs);
  const port = options.port ?? DEFAULT_KAFKA_PORT;
  try {
    const gateway = await startKafkaGateway(lib, {
      port,
      host: options.host,
      ...(options.quota === undefined ? {} : { quota: options.quota }),
      ...(authenticator === undefined ? {} : { authenticate: (key: string) => authenticator.authenticate(key) }),
    });
    const auth = authenticator === undefined ? 'no authentication' : 'SASL/PLAIN with an API key as the password';
    return { gateway, message: `Kafka protocol on ${gateway.host}:${gateway.port} (bootstrap address; ${auth}; see docs/kafka.md).` };
  } catch (err) {
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    if (inUse && options.port === undefined) {
      return { message: `Kafka protocol: off (port ${port} on ${options.host} is in use; pass --kafka-port N, or --no-kafka).` };
    }
    throw new Error(inUse ? `Kafka port ${port} on ${options.host} is already in use.` : `Kafka gateway: ${(err as Error).message}`);
  }
}
