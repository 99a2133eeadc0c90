/**
 * The Kafka gateway as a long-running container (kafka/Dockerfile): what the
 * CDK app's optional KafkaGateway service (`-c samsa:kafkaGateway=true`)
 * runs on Fargate behind a Network Load Balancer that terminates TLS. The
 * only place the gateway reads process.env: the tables, limits and auth of
 * functions/config.ts (the same variables the Lambda functions get), plus
 * the listener and what the gateway advertises (KAFKA_ENV below). Behind a
 * load balancer every instance advertises the balancer's address, so a
 * client that asks any instance for metadata comes back through it.
 *
 * SIGTERM (a scale-in or a deployment) stops accepting connections and
 * lets open ones finish their current request before the process exits.
 */
import { loadConfig, type Config } from '../functions/config';
import { createDeps } from '../functions/runtime';
import { ApiKeyAuthenticator } from '../lib/auth/authenticate';
import { jwtVerifier } from './jwt';
import { startKafkaGateway, type KafkaGatewayOptions } from './server';

export const KAFKA_ENV = {
  /** Port the container listens on (default 9092). */
  port: 'SAMSA_KAFKA_PORT',
  /** Interface to listen on (default 0.0.0.0: every interface of the task). */
  host: 'SAMSA_KAFKA_HOST',
  /** The address clients are told to connect to: the load balancer's DNS name (or a domain pointing at it). Required. */
  advertisedHost: 'SAMSA_KAFKA_ADVERTISED_HOST',
  /** The port clients connect to on the advertised host (the load balancer's TLS listener); default the listening port. */
  advertisedPort: 'SAMSA_KAFKA_ADVERTISED_PORT',
  /** JWT mode (SASL/OAUTHBEARER): the issuer URL and the accepted audiences, comma-separated. */
  jwtIssuer: 'SAMSA_JWT_ISSUER',
  jwtAudience: 'SAMSA_JWT_AUDIENCE',
} as const;

export interface ContainerSettings {
  config: Config;
  listen: { host: string; port: number };
  advertised: { host: string; port: number };
  jwt: { issuer: string; audience: string[] } | undefined;
}

/** Reads and checks the environment; throws one message naming the variable that is wrong. */
export function containerSettings(env: Record<string, string | undefined>): ContainerSettings {
  const config = loadConfig(env);
  if (config.auth.mode === 'none') throw new Error(`Samsa Kafka gateway: auth mode 'none' is for local trials; a deployed gateway needs api-keys or jwt.`);
  const port = portVar(env, KAFKA_ENV.port, 9092);
  const advertisedHost = env[KAFKA_ENV.advertisedHost]?.trim();
  if (!advertisedHost) throw new Error(`Samsa Kafka gateway: ${KAFKA_ENV.advertisedHost} must name the address clients connect to (the load balancer's DNS name).`);
  let jwt: ContainerSettings['jwt'];
  if (config.auth.mode === 'jwt') {
    const issuer = env[KAFKA_ENV.jwtIssuer]?.trim();
    const audience = (env[KAFKA_ENV.jwtAudience] ?? '').split(',').map((a) => a.trim()).filter(Boolean);
    if (!issuer?.startsWith('https://') || audience.length === 0) {
      throw new Error(`Samsa Kafka gateway: JWT mode needs ${KAFKA_ENV.jwtIssuer} (an https:// URL) and ${KAFKA_ENV.jwtAudience}.`);
    }
    jwt = { issuer, audience };
  }
  return {
    config,
    listen: { host: env[KAFKA_ENV.host]?.trim() || '0.0.0.0', port },
    advertised: { host: advertisedHost, port: portVar(env, KAFKA_ENV.advertisedPort, port) },
    jwt,
  };
}

function portVar(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`Samsa Kafka gateway: ${name} must be a port (1-65535); got '${raw}'.`);
  return n;
}

export function gatewayOptions(settings: ContainerSettings, deps: ReturnType<typeof createDeps>): KafkaGatewayOptions {
  const { auth } = settings.config;
  const options: KafkaGatewayOptions = {
    port: settings.listen.port,
    host: settings.listen.host,
    advertisedHost: settings.advertised.host,
    advertisedPort: settings.advertised.port,
    ...(deps.quota === undefined ? {} : { quota: deps.quota }),
  };
  if (settings.jwt !== undefined) {
    options.verifyToken = jwtVerifier({ ...settings.jwt, principalClaim: auth.jwtPrincipalClaim });
  } else {
    const keys = new ApiKeyAuthenticator(deps.lib, auth.cacheMs);
    options.authenticate = (key: string) => keys.authenticate(key);
  }
  return options;
}

async function main(): Promise<void> {
  const settings = containerSettings(process.env);
  const deps = createDeps(settings.config);
  const gateway = await startKafkaGateway(deps.lib, gatewayOptions(settings, deps));
  console.log(
    JSON.stringify({
      level: 'INFO',
      message: 'Kafka gateway listening',
      listen: `${gateway.host}:${gateway.port}`,
      advertised: `${settings.advertised.host}:${settings.advertised.port}`,
      authMode: settings.config.auth.mode,
    }),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ level: 'INFO', message: `${signal}: closing the Kafka gateway` }));
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(JSON.stringify({ level: 'ERROR', message: 'close failed', error: String(err) }));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

// Run only as the container's entry point, not when a test imports the settings above.
if (process.argv[1] !== undefined && /container\.(ts|mjs|js)$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(JSON.stringify({ level: 'ERROR', message: 'Kafka gateway failed to start', error: err instanceof Error ? err.message : String(err) }));
    process.exit(1);
  });
}
