/**
 * `npm start`: DynamoDB Local + the HTTP API on http://127.0.0.1:4000.
 *
 *   npm start -- [--port 4000] [--host 127.0.0.1] [--in-memory] [--data-dir .samsa/data] [--dynamodb-port N] [--no-auth]
 *
 * Data persists under .samsa/data unless --in-memory. Ctrl-C / SIGTERM stops both.
 * API keys are on, as deployed: a development key for the super user `admin`
 * is printed (and kept in .samsa/dev-key so it survives restarts).
 */
import { parseArgs } from 'node:util';
import { ENV } from '../functions/config';
import { loadConfig } from '../functions/config';
import { createDeps } from '../functions/runtime';
import { createStorageClients, localCredentials } from '../lib/storage/client';
import { ensureTables } from '../lib/storage/ensure-tables';
import { localTableNames } from '../lib/storage/schema';
import { developmentKey, DEV_KEY_FILE } from './dev-key';
import { startDynamoLocal, type DynamoLocal } from './dynamodb';
import { PortInUseError, startServer, type LocalServer } from './server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `Usage: npm start -- [options]
  --port N            HTTP port (default 4000, or $PORT)
  --host H            HTTP interface (default 127.0.0.1)
  --in-memory         keep data in memory only
  --data-dir DIR      where DynamoDB Local stores data (default .samsa/data)
  --dynamodb-port N   DynamoDB Local port (default: a free port)
  --no-auth           no API keys: everyone is 'anonymous' and may do everything (quick trials only)
  --help              this text`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'in-memory': { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: '.samsa/data' },
      'dynamodb-port': { type: 'string' },
      'no-auth': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = parsePort(values.port ?? process.env.PORT ?? '4000', '--port');
  const dynamoPort = values['dynamodb-port'] === undefined ? undefined : parsePort(values['dynamodb-port'], '--dynamodb-port');

  let dynamo: DynamoLocal | undefined;
  let devKey: { apiKey: string; principal: string } | undefined;
  let server: LocalServer | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await server?.close();
    await dynamo?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  // Whatever ends this process, never leave a Java process behind.
  process.on('exit', () => dynamo?.kill());

  try {
    dynamo = await startDynamoLocal({
      ...(dynamoPort === undefined ? {} : { port: dynamoPort }),
      ...(values['in-memory'] ? {} : { dataDir: values['data-dir'] }),
    });
    const tables = localTableNames('samsa');
    const { raw } = createStorageClients({ endpoint: dynamo.endpoint, credentials: localCredentials() });
    await ensureTables(raw, tables);
    raw.destroy();

    // The same config path a Lambda cold start takes, fed the env this stack builds.
    const config = loadConfig({
      ...process.env,
      [ENV.metaTable]: tables.meta,
      [ENV.logTable]: tables.log,
      [ENV.dynamoEndpoint]: dynamo.endpoint,
      [ENV.authMode]: values['no-auth'] ? 'none' : 'api-keys',
    });
    const deps = createDeps(config);
    if (!values['no-auth']) {
      // Written also for --in-memory (a new key each start), so the CLI and the README's curl lines find it.
      devKey = await developmentKey(deps.lib, DEV_KEY_FILE, config.auth.superUsers[0] ?? 'admin');
    }
    server = await startServer(deps, port, values.host);
  } catch (err) {
    console.error(`samsa: ${err instanceof PortInUseError ? `${err.message} Stop the other process or pass --port.` : (err as Error).message}`);
    await stop(1);
    return;
  }

  const storage = values['in-memory'] ? 'in memory' : `in ${values['data-dir']}`;
  console.log(`Samsa is running at ${server.url} (DynamoDB Local on ${dynamo.endpoint}, data ${storage}).`);
  if (devKey === undefined) {
    console.log('Authentication is OFF (--no-auth): every request is anonymous and allowed.');
    console.log(`Try: curl -X POST ${server.url}/v1/topics -H 'content-type: application/json' -d '{"name":"orders","partitions":3}'`);
  } else {
    console.log(`Development API key (super user '${devKey.principal}', kept in ${DEV_KEY_FILE}):`);
    console.log(`  export SAMSA_API_KEY=${devKey.apiKey}`);
    console.log(
      `Try: curl -X POST ${server.url}/v1/topics -H "authorization: Bearer $SAMSA_API_KEY" -H 'content-type: application/json' -d '{"name":"orders","partitions":3}'`,
    );
  }
  // The fragment never reaches the server; the console stores the key for the tab and drops it from the address bar.
  console.log(`Web console: ${server.url}/console/${devKey === undefined ? '' : `#key=${encodeURIComponent(devKey.apiKey)}`}`);
  console.log('Press Ctrl-C to stop.');
}

function parsePort(raw: string, flag: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`samsa: ${flag} must be a port number (0-65535); got '${raw}'.`);
    process.exit(2);
  }
  return port;
}

void main();
