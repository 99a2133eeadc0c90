/**
 * `npm run check -- [options]`: the correctness checker's command line.
 * Exits 0 when every anomaly count is zero, 1 when any is not, 2 on a usage
 * error or when the run itself failed. See README "Correctness checker".
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCheck } from './check';
import { FAULT_HELP, FAULTS, type FaultName } from './faults/nemesis';
import { printResult } from './report';

const HELP = `Usage: npm run check -- [options]

  --seed N              seed of the fault schedule and all random choices (default: random)
  --duration S          seconds of load under faults (default 60)
  --faults a,b,...      faults to inject (default: all); 'none' for a calm run
  --url URL             check an existing Samsa instead of starting one (server-side faults off)
  --api-key KEY         sent as 'Authorization: Bearer KEY'
  --dynamodb-endpoint U use this DynamoDB Local instead of spawning one (no kill -9)
  --instances N         handler instances behind the checker's front (default 3)
  --abort-after-ms N    the stack's abort bound (default 3000; with --url, the server's: 15000)
  --scale X             HTTP clients per role × X (default 1: 26 clients)
  --kafka-clients N     KafkaJS producers (plain and idempotent in turn) through Kafka gateways on the
                        handler instances, recorded and analysed like the HTTP ones (default 2; 0 = none;
                        with --url always 0)
  --no-push             no push consumers (WebSocket notifications) and no push subscription / webhook receiver
                        (always none with --url)
  --intensity X         fault probabilities × X, capped at 0.5 (default 1)
  --results DIR         where history.jsonl and report.json go (default .samsa/check/<seed>)
  --verbose             keep the handlers' error logs
  --sabotage a,b        run a deliberately broken engine (self-test only): unconditionalSettle,
                        unfencedCommit, ignoreIdempotence, forgetIncarnations, splitTransaction, ackBeforeAnswer
                        (the webhook transport reports 200 before the receiver answered) — the run must then
                        report anomalies

Faults:
${FAULTS.map((f) => `  ${f.padEnd(20)}${FAULT_HELP[f]}`).join('\n')}
`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        seed: { type: 'string' },
        duration: { type: 'string', default: '60' },
        faults: { type: 'string', default: 'all' },
        url: { type: 'string' },
        'api-key': { type: 'string' },
        'dynamodb-endpoint': { type: 'string' },
        instances: { type: 'string', default: '3' },
        'abort-after-ms': { type: 'string' },
        scale: { type: 'string', default: '1' },
        'kafka-clients': { type: 'string' },
        intensity: { type: 'string', default: '1' },
        results: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        'no-push': { type: 'boolean', default: false },
        sabotage: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const faults = args.faults === 'all' ? [...FAULTS] : args.faults === 'none' ? [] : args.faults.split(',').map((f) => f.trim());
  const unknown = faults.filter((f) => !(FAULTS as readonly string[]).includes(f));
  const seed = args.seed === undefined ? Math.floor(Math.random() * 1_000_000) : Number(args.seed);
  const durationS = Number(args.duration);
  if (unknown.length > 0 || !Number.isSafeInteger(seed) || !(durationS > 0)) {
    console.error(`${unknown.length > 0 ? `unknown faults: ${unknown.join(', ')}` : 'bad --seed or --duration'}\n\n${HELP}`);
    return 2;
  }
  // On by default against the checker's own stack; an existing Samsa (--url) has no gateway to reach.
  const kafkaClients = Number(args['kafka-clients'] ?? (args.url === undefined ? 2 : 0));
  if (!Number.isSafeInteger(kafkaClients) || kafkaClients < 0 || (kafkaClients > 0 && args.url !== undefined)) {
    console.error(`--kafka-clients needs a whole number ≥ 0, and the checker's own stack (not --url)\n\n${HELP}`);
    return 2;
  }
  // Injected crashes and DynamoDB outages make handlers log 5xx causes; they are expected here.
  if (!args.verbose) process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const abortAfterMs = Number(args['abort-after-ms'] ?? (args.url === undefined ? 3_000 : 15_000));
  const result = await runCheck({
    seed,
    durationMs: durationS * 1000,
    resultsDir: args.results ?? join('.samsa', 'check', String(seed)),
    faults: faults as FaultName[],
    ...(args.url === undefined ? {} : { url: args.url }),
    ...(args['api-key'] === undefined ? {} : { apiKey: args['api-key'] }),
    ...(args['dynamodb-endpoint'] === undefined ? {} : { dynamoEndpoint: args['dynamodb-endpoint'] }),
    instances: Number(args.instances),
    abortAfterMs,
    maxClockSkewMs: args.url === undefined ? 300 : 1_000,
    sessionTimeoutMs: 4_000,
    scale: Number(args.scale),
    intensity: Number(args.intensity),
    kafkaClients,
    push: !args['no-push'],
    ...(args.sabotage === undefined ? {} : { sabotage: Object.fromEntries(args.sabotage.split(',').map((k) => [k.trim(), true])) }),
    log: (line) => console.log(line),
  });
  printResult(result, (line) => console.log(line));
  return result.valid && result.analysis.stats.finalRead.missing.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`samsa check failed: ${(err as Error).stack ?? err}`);
    process.exit(2);
  },
);
