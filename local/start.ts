/**
 * `npm start`: DynamoDB Local + the HTTP API on http://127.0.0.1:4000.
 *
 *   npm start -- [--port 4000] [--host 127.0.0.1] [--in-memory] [--data-dir .samsa/data] [--dynamodb-port N] [--no-auth]
 *
 * Data persists under .samsa/data unless --in-memory.
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
 * a new one each start and writes no key file of its own. Either publishes
 * its key in .samsa/dev-key while it runs, for the CLI (dev-key.ts).
 */
import { parseArgs } from 'node:util';
import { ENV } from '../functions/config';
import { loadConfig } from '../functions/config';
import { createDeps } from '../functions/runtime';
import { createStorageClients, localCredentials } from '../lib/storage/client';
import { ensureTables } from '../lib/storage/ensure-tables';
import { localTableNames } from '../lib/storage/schema';
import { dataDevKeyFile, developmentKey, DEV_KEY_FILE, publishDevKey } from './dev-key';
import { startDynamoLocal, type DynamoLocal } from './dynamodb';
import { watchLaunchers } from './lifeline';
import { PortInUseError, startServer, type LocalServer } from './server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `Usage: npm start -- [options]
  --port N            HTTP port (default 4000, or $PORT)
  --host H            HTTP interface (default 127.0.0.1)
  --in-memory         keep data in memory only (and make a new development key each start)
  --data-dir DIR      where DynamoDB Local stores data, and the development key with it (default .samsa/data)
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
  let unpublishKey: (() => void) | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    unpublishKey?.();
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
      const principal = config.auth.superUsers[0] ?? 'admin';
      // In memory: a new key each start, kept nowhere but .samsa/dev-key while it runs. On disk: the key lives
      // with the data; .samsa/dev-key is adopted when it verifies there (where earlier versions kept the key).
      devKey = values['in-memory']
        ? await developmentKey(deps.lib, principal)
        : await developmentKey(deps.lib, principal, { keep: dataDevKeyFile(values['data-dir']), adopt: [DEV_KEY_FILE] });
    }
    server = await startServer(deps, port, values.host);
    // Only once this stack serves: a stack that fails to start (port in use) must not take the file.
    if (devKey !== undefined) unpublishKey = publishDevKey(DEV_KEY_FILE, devKey.apiKey);
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
    const kept = values['in-memory'] ? 'new each start, as the data is in memory' : `kept with the data in ${dataDevKeyFile(values['data-dir'])}`;
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

function parsePort(raw: string, flag: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`samsa: ${flag} must be a port number (0-65535); got '${raw}'.`);
    process.exit(2);
  }
  return port;
}

void main();
