/**
 * `npm start`: DynamoDB Local + the HTTP API on http://127.0.0.1:4000.
 *
 *   npm start -- [--port 4000] [--host 127.0.0.1] [--in-memory] [--data-dir .samsa/data] [--dynamodb-port N] [--no-auth]
 *                 [--kafka-port 9092 | --no-kafka] [--lambda-endpoint URL]
 *   npm start -- --dynamodb-endpoint URL [--region R] [--port 4000] [--host 127.0.0.1] [--no-auth]
 *
 * The Kafka protocol gateway (kafka/) listens beside the HTTP API, on
 * 127.0.0.1:9092 unless --kafka-port or --no-kafka says otherwise.
 *
 * Push subscriptions to AWS Lambda functions are invoked through the AWS
 * SDK at --lambda-endpoint (any service implementing Lambda's Invoke REST
 * API); without it their batches fail with a lastError naming the flag
 * (local/subscriptions.ts, docs/subscriptions.md).
 *
 * Data persists under .samsa/data unless --in-memory. With --dynamodb-endpoint
 * the stack starts no DynamoDB Local: it uses one that already runs (another
 * DynamoDB Local, a proxy that meters or records every call, or DynamoDB
 * itself with the caller's credentials and region) and creates its tables
 * there if they are missing, so every call it makes can be watched from
 * outside. A loopback endpoint is taken for DynamoDB Local and gets its
 * dummy credentials; any other gets the default AWS credential chain.
 *
 * Stopping: SIGINT (Ctrl-C), SIGTERM or SIGHUP to this process, or to tsx or
 * npm above it, stops the HTTP server and DynamoDB Local. npm and tsx do not
 * pass every signal on (npm's `sh` dies of SIGTERM, nobody forwards SIGHUP),
 * so the stack also stops when a launcher of its process group ends
 * (lifeline.ts). If this process itself is killed outright (SIGKILL),
 * DynamoDB Local's watchdog kills Java (dynamodb.ts). A second signal while
 * stopping exits at once.
 *
 * API keys are on, as deployed: a development key for the super user `admin`
 * is printed. A persistent stack keeps it with its data (`<data dir>/dev-key`),
 * so a restart on the same data prints the same key; an in-memory stack makes
 * a new one each start and writes no key file of its own; a stack on an
 * external endpoint keeps its key per endpoint. Each publishes its key in
 * .samsa/dev-key while it runs, for the CLI (dev-key.ts).
 */
import { parseArgs } from 'node:util';
import { ENV } from '../functions/config';
import { loadConfig } from '../functions/config';
import { createDeps } from '../functions/runtime';
import { createStorageClients, isLocalEndpoint, localCredentials, type StorageClientOptions } from '../lib/storage/client';
import { ensureTables } from '../lib/storage/ensure-tables';
import { localTableNames } from '../lib/storage/schema';
import { dataDevKeyFile, developmentKey, DEV_KEY_FILE, endpointDevKeyFile, publishDevKey } from './dev-key';
import { startDynamoLocal, type DynamoLocal } from './dynamodb';
import { watchLaunchers } from './lifeline';
import { PortInUseError, startServer, type LocalServer } from './server';
import { startLocalKafka } from '../kafka/local';
import { fanOutHandler } from '../functions/push/handlers';
import { startStreamConsumers, type StreamConsumers } from './streams';
import { localDelivery, type LocalDelivery } from './subscriptions';
import type { KafkaGateway } from '../kafka/server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `Usage: npm start -- [options]
  --port N            HTTP port (default 4000, or $PORT)
  --host H            HTTP interface (default 127.0.0.1)
  --in-memory         keep data in memory only (and make a new development key each start)
  --data-dir DIR      where DynamoDB Local stores data, and the development key with it (default .samsa/data)
  --dynamodb-port N   DynamoDB Local port (default: a free port)
  --dynamodb-endpoint URL
                      start no DynamoDB Local: use the DynamoDB at URL (another DynamoDB Local, a metering
                      proxy, or DynamoDB itself) and create the tables there if missing. localhost and
                      127.0.0.1 get DynamoDB Local's dummy credentials, any other URL the default AWS
                      credential chain. Not with --in-memory, --data-dir or --dynamodb-port
  --region R          with --dynamodb-endpoint: the AWS region (default $AWS_REGION, else the region in a
                      dynamodb.<region>.amazonaws.com URL, else us-east-1)
  --no-auth           no API keys: everyone is 'anonymous' and may do everything (quick trials only)
  --kafka-port N      Kafka protocol port (default 9092; if 9092 is taken the stack starts without it)
  --no-kafka          no Kafka protocol listener
  --lambda-endpoint URL
                      invoke push subscriptions' Lambda function targets at URL: any service implementing
                      Lambda's Invoke API (POST /2015-03-31/functions/{name}/invocations), e.g. an emulator.
                      localhost and 127.0.0.1 get dummy credentials, any other URL the default AWS credential
                      chain. Without it, Lambda-target batches fail (describe shows why)
  --help              this text`;

/** Options that only configure the DynamoDB Local this stack would start itself. */
const LOCAL_DYNAMO_OPTIONS = ['in-memory', 'data-dir', 'dynamodb-port'] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      // No defaults for these three: --dynamodb-endpoint must tell whether they were given.
      'in-memory': { type: 'boolean' },
      'data-dir': { type: 'string' },
      'dynamodb-port': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      region: { type: 'string' },
      'no-auth': { type: 'boolean', default: false },
      'kafka-port': { type: 'string' },
      'no-kafka': { type: 'boolean', default: false },
      'lambda-endpoint': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = parsePort(values.port ?? process.env.PORT ?? '4000', '--port');
  const kafkaPort = values['kafka-port'] === undefined ? undefined : parsePort(values['kafka-port'], '--kafka-port');
  const dynamoPort = values['dynamodb-port'] === undefined ? undefined : parsePort(values['dynamodb-port'], '--dynamodb-port');
  const lambdaEndpoint = values['lambda-endpoint'] === undefined ? undefined : httpUrl(values['lambda-endpoint'], '--lambda-endpoint');
  const inMemory = values['in-memory'] ?? false;
  const dataDir = values['data-dir'] ?? '.samsa/data';
  const external = values['dynamodb-endpoint'] === undefined ? undefined : externalDynamo(values['dynamodb-endpoint'], values.region);
  if (external !== undefined) {
    const clash = LOCAL_DYNAMO_OPTIONS.filter((option) => values[option] !== undefined);
    if (clash.length > 0) {
      usageError(
        `--dynamodb-endpoint uses a DynamoDB that already runs; ${clash.map((o) => `--${o}`).join(', ')} only configure${clash.length === 1 ? 's' : ''} ` +
          'the DynamoDB Local this stack would start otherwise. Drop one or the other.',
      );
    }
  } else if (values.region !== undefined) {
    usageError('--region applies only with --dynamodb-endpoint (DynamoDB Local ignores the region).');
  }

  let dynamo: DynamoLocal | undefined;
  let devKey: { apiKey: string; principal: string } | undefined;
  let server: LocalServer | undefined;
  let kafka: KafkaGateway | undefined;
  let delivery: LocalDelivery | undefined;
  let streams: StreamConsumers | undefined;
  let kafkaMessage: string | undefined;
  let unpublishKey: (() => void) | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    unpublishKey?.();
    delivery?.stop();
    await streams?.stop();
    await kafka?.close();
    await server?.close();
    await dynamo?.stop();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // The second signal does not wait for a slow stop: exit now (the exit handler below still kills Java).
    process.on(signal, () => (stopping ? process.exit(1) : void stop(0)));
  }
  watchLaunchers((launcher) => {
    console.error(`samsa: the process that started this stack (pid ${launcher.pid}) ended; stopping.`);
    void stop(0);
  });
  // Whatever ends this process, never leave a Java process behind, nor our key in .samsa/dev-key.
  process.on('exit', () => {
    unpublishKey?.();
    dynamo?.kill();
  });

  const tables = localTableNames('samsa');
  let endpoint: string;
  try {
    if (external === undefined) {
      dynamo = await startDynamoLocal({
        ...(dynamoPort === undefined ? {} : { port: dynamoPort }),
        ...(inMemory ? {} : { dataDir }),
      });
      endpoint = dynamo.endpoint;
    } else {
      endpoint = external.endpoint;
    }
    const { raw } = createStorageClients(external ?? { endpoint, credentials: localCredentials() });
    try {
      await ensureTables(raw, tables);
    } catch (err) {
      throw new Error(`DynamoDB at ${endpoint}: ${(err as Error).message}`);
    } finally {
      raw.destroy();
    }

    // The same config path a Lambda cold start takes, fed the env this stack builds.
    const config = loadConfig({
      ...process.env,
      [ENV.metaTable]: tables.meta,
      [ENV.logTable]: tables.log,
      [ENV.dynamoEndpoint]: endpoint,
      ...(external === undefined ? {} : { [ENV.region]: external.region }),
      [ENV.authMode]: values['no-auth'] ? 'none' : 'api-keys',
    });
    const deps = createDeps(config);
    if (!values['no-auth']) {
      const principal = config.auth.superUsers[0] ?? 'admin';
      // In memory: a new key each start, kept nowhere but .samsa/dev-key while it runs. On disk: the key lives
      // with the data (for an external endpoint, in a file of that endpoint); .samsa/dev-key is adopted when it
      // verifies there (where earlier versions kept the key).
      devKey = inMemory
        ? await developmentKey(deps.lib, principal)
        : await developmentKey(deps.lib, principal, { keep: keyFile(external, dataDir), adopt: [DEV_KEY_FILE] });
    }
    // Push subscriptions: the delivery handler the Lambda runs, driven by the log table's stream (local/subscriptions.ts).
    const local = localDelivery(deps.lib, {
      ...(lambdaEndpoint === undefined ? {} : { lambdaEndpoint }),
      ...(process.env.AWS_REGION === undefined ? {} : { lambdaRegion: process.env.AWS_REGION }),
    });
    delivery = local;
    // A resumed subscription delivers what waited at once, as the delivery function does on AWS.
    deps.wakeSubscription = (name) => local.wake(name);
    server = await startServer(deps, port, values.host);
    streams = await startStreamConsumers(
      { endpoint, tableName: tables.log, ...(isLocalEndpoint(endpoint) ? { credentials: localCredentials() } : {}), ...(external === undefined ? {} : { region: external.region }) },
      // WebSocket notifications: the fan-out handler the Lambda runs, sending through the local ws endpoint.
      [delivery.handler, fanOutHandler(deps, server.push.send)],
    );
    if (!values['no-kafka']) {
      ({ gateway: kafka, message: kafkaMessage } = await startLocalKafka(deps.lib, { port: kafkaPort, host: values.host, authMode: config.auth.mode, cacheMs: config.auth.cacheMs, quota: deps.quota }));
    }
    // Only once this stack serves: a stack that fails to start (port in use) must not take the file.
    if (devKey !== undefined) unpublishKey = publishDevKey(DEV_KEY_FILE, devKey.apiKey);
  } catch (err) {
    console.error(`samsa: ${err instanceof PortInUseError ? `${err.message} Stop the other process or pass --port.` : (err as Error).message}`);
    await stop(1);
    return;
  }

  if (external === undefined) {
    console.log(`Samsa is running at ${server.url} (DynamoDB Local on ${endpoint}, data ${inMemory ? 'in memory' : `in ${dataDir}`}).`);
  } else {
    const credentials = external.credentials === undefined ? `default AWS credentials, region ${external.region}` : 'DynamoDB Local credentials';
    console.log(`Samsa is running at ${server.url} (DynamoDB at ${endpoint}, not started by this stack: tables ${tables.meta} and ${tables.log}, ${credentials}).`);
  }
  if (kafkaMessage !== undefined) console.log(kafkaMessage);
  if (lambdaEndpoint !== undefined) console.log(`Push subscriptions invoke their Lambda function targets at ${lambdaEndpoint}.`);
  if (devKey === undefined) {
    console.log('Authentication is OFF (--no-auth): every request is anonymous and allowed.');
    console.log(`Try: curl -X POST ${server.url}/v1/topics -H 'content-type: application/json' -d '{"name":"orders","partitions":3}'`);
  } else {
    const kept = inMemory
      ? 'new each start, as the data is in memory'
      : external === undefined
        ? `kept with the data in ${dataDevKeyFile(dataDir)}`
        : `kept for this endpoint in ${endpointDevKeyFile(external.endpoint)}`;
    console.log(`Development API key (super user '${devKey.principal}', ${kept}; in ${DEV_KEY_FILE} while this stack runs):`);
    console.log(`  export SAMSA_API_KEY=${devKey.apiKey}`);
    console.log(
      `Try: curl -X POST ${server.url}/v1/topics -H "authorization: Bearer $SAMSA_API_KEY" -H 'content-type: application/json' -d '{"name":"orders","partitions":3}'`,
    );
  }
  // The fragment never reaches the server; the console stores the key for the tab and drops it from the address bar.
  console.log(`Web console: ${server.url}/console/${devKey === undefined ? '' : `#key=${encodeURIComponent(devKey.apiKey)}`}`);
  console.log('Press Ctrl-C to stop.');
}

interface ExternalDynamo extends StorageClientOptions {
  endpoint: string;
  region: string;
}

/** Client options for --dynamodb-endpoint: DynamoDB Local's credentials on loopback, else the default chain. */
function externalDynamo(raw: string, regionFlag: string | undefined): ExternalDynamo {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return usageError(`--dynamodb-endpoint must be a URL such as http://127.0.0.1:8000; got '${raw}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') usageError(`--dynamodb-endpoint must be an http:// or https:// URL; got '${raw}'.`);
  const endpoint = url.href.replace(/\/$/, '');
  // A DynamoDB URL names its region, and a request signed for another one is refused.
  const region = regionFlag ?? process.env.AWS_REGION ?? /^dynamodb(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1] ?? 'us-east-1';
  return { endpoint, region, ...(isLocalEndpoint(endpoint) ? { credentials: localCredentials() } : {}) };
}

function keyFile(external: ExternalDynamo | undefined, dataDir: string): string {
  return external === undefined ? dataDevKeyFile(dataDir) : endpointDevKeyFile(external.endpoint);
}

/** An http:// or https:// URL without a trailing slash. */
function httpUrl(raw: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return usageError(`${flag} must be a URL such as http://127.0.0.1:9001; got '${raw}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') usageError(`${flag} must be an http:// or https:// URL; got '${raw}'.`);
  return url.href.replace(/\/$/, '');
}

function parsePort(raw: string, flag: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usageError(`${flag} must be a port number (0-65535); got '${raw}'.`);
  return port;
}

/** A command line this stack cannot run: exit code 2, as for any usage error. */
function usageError(message: string): never {
  console.error(`samsa: ${message}`);
  process.exit(2);
}

void main();
