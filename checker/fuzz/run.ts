/**
 * `npm run fuzz -- [--seed N] [--runs N] [--url URL] [--api-key KEY]`: the
 * bad-input fuzzer over HTTP. Without --url it starts its own stack (an
 * in-memory DynamoDB Local and the same handlers the Lambda functions run)
 * with API keys on, and sends each request with a seeded random credential.
 * Exits 1 on any 5xx, unclean refusal, hang, state changed by a refused
 * request, or stored record that fetch cannot serve; 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { startDynamoLocal } from '../../local/dynamodb';
import { seeded } from '../faults/random';
import { startStack } from '../stack/stack';
import type { StackKeys } from './credentials';
import { runFuzz } from './fuzz';

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      seed: { type: 'string' },
      runs: { type: 'string', default: '500' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    console.log('Usage: npm run fuzz -- [--seed N] [--runs N (500)] [--url URL] [--api-key KEY]');
    return 0;
  }
  const seed = args.seed === undefined ? Math.floor(Math.random() * 1_000_000) : Number(args.seed);
  const runs = Number(args.runs);
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(runs) || runs < 1) {
    console.error('--seed and --runs must be integers');
    return 2;
  }
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let url = args.url;
  let close = async () => undefined as void;
  let keys: StackKeys | undefined;
  if (url === undefined) {
    const dynamo = await startDynamoLocal();
    // API keys on: every request carries a seeded random credential (issue 9), besides its bad input.
    const stack = await startStack({ random: seeded(seed), dynamoEndpoint: dynamo.endpoint, instances: 1, abortAfterMs: 15_000, maxClockSkewMs: 1_000, auth: 'api-keys' });
    url = stack.url;
    keys = stack.keys;
    close = async () => {
      await stack.close();
      await dynamo.stop();
    };
  }
  try {
    console.log(`samsa fuzz: seed ${seed}, ${runs} runs against ${url}`);
    const result = await runFuzz({
      url,
      seed,
      runs,
      ...(args['api-key'] === undefined ? {} : { apiKey: args['api-key'] }),
      ...(keys === undefined ? {} : { keys }),
      log: (l) => console.log(l),
    });
    for (const f of result.failures.slice(0, 20)) console.log(`FAIL ${f.kind}: ${f.why}\n     ${f.request.slice(0, 400)}`);
    console.log(result.failures.length === 0 ? `fuzz: clean (no 5xx, no hang, every refusal enveloped, nothing stored by a refused request, everything stored read back${keys === undefined ? '' : ', no credential let past its rights'})` : `fuzz: ${result.failures.length} failures`);
    return result.failures.length === 0 ? 0 : 1;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`samsa fuzz failed: ${(err as Error).stack ?? err}`);
    process.exit(2);
  },
);
