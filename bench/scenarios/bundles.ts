/**
 * Scenario bundles, the cold-start proxy: each Lambda function's bundle built
 * with esbuild exactly as CDK's NodejsFunction invokes it for this stack
 * (cdk/constructs/api-functions.ts → aws-lambda-nodejs bundling: `--bundle
 * <entry> --target=node22 --platform=node --format=cjs --outfile=… --minify
 * --external:@aws-sdk/*`), into a temporary directory inside the repo (so the
 * external @aws-sdk/* resolves from node_modules as it does from the runtime),
 * then:
 *  - size: minified bytes of index.js (target ≤ 250 KB each) and its gzip size;
 *  - module load time: `require` of the bundle in a fresh `node` process with
 *    the function's environment set (config is read at cold start), median of
 *    several processes; and, as the in-run baseline, the same for requiring
 *    only @aws-sdk/client-dynamodb + @aws-sdk/lib-dynamodb (which the Lambda
 *    runtime provides): the difference is what our own code adds.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ENV } from '../../functions/config';
import type { FunctionArea } from '../../functions/http/routes';
import type { Profile } from '../profile';
import { row, type Row, type ScenarioOutput } from '../report';
import { round } from '../stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const AREAS: FunctionArea[] = ['admin', 'produce', 'fetch', 'groups'];
export const BUNDLE_TARGET_BYTES = 250 * 1024;

const LOADER = `
const t0 = performance.now();
require(process.argv[1]);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms }));
`;

function loadMs(target: string, env: Record<string, string>, cwd: string): number {
  const out = spawnSync(process.execPath, ['-e', LOADER, target], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (out.status !== 0) throw new Error(`bundles: loading ${target} failed: ${out.stderr.slice(0, 500)}`);
  return (JSON.parse(out.stdout) as { ms: number }).ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export async function runBundles(profile: Profile): Promise<ScenarioOutput & { maxBytes: number }> {
  const outdir = join(ROOT, 'cdk.out', `bench-bundles-${randomUUID().slice(0, 8)}`);
  mkdirSync(outdir, { recursive: true });
  try {
    // Lambda's /var/task has no package.json: index.js is CommonJS there, not ESM as the repo's "type" would make it.
    writeFileSync(join(outdir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    const env = {
      [ENV.metaTable]: 'bench-meta',
      [ENV.logTable]: 'bench-log',
      [ENV.region]: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const buildStart = performance.now();
    const built = await Promise.all(
      AREAS.map(async (area) => {
        const outfile = join(outdir, area, 'index.js');
        await build({
          entryPoints: [join(ROOT, 'functions', area, 'index.ts')],
          bundle: true,
          target: 'node22',
          platform: 'node',
          format: 'cjs',
          outfile,
          minify: true,
          sourcemap: false,
          external: ['@aws-sdk/*'],
          logLevel: 'silent',
        });
        const code = readFileSync(outfile);
        return { area, outfile, bytes: statSync(outfile).size, gzipBytes: gzipSync(code, { level: 9 }).length };
      }),
    );
    const buildMs = performance.now() - buildStart;

    // Baseline: the runtime-provided SDK modules every bundle requires.
    const sdkStub = join(outdir, 'sdk-only.js');
    writeFileSync(sdkStub, "require('@aws-sdk/client-dynamodb'); require('@aws-sdk/lib-dynamodb');\n");
    const repeats = profile.bundles.loadRepeats;
    loadMs(sdkStub, env, outdir); // warm the file-system cache; not measured
    const sdkMs: number[] = [];
    const rows = built.map((b) => ({ ...b, loads: [] as number[] }));
    for (let r = 0; r < repeats; r++) {
      // Interleaved, so background load drifts over all of them alike.
      sdkMs.push(loadMs(sdkStub, env, outdir));
      for (const row of rows) row.loads.push(loadMs(row.outfile, env, outdir));
    }
    const sdkMedian = median(sdkMs);
    const result = rows.map((r) => ({
      area: r.area,
      bytes: r.bytes,
      kb: round(r.bytes / 1024, 1),
      gzipKb: round(r.gzipBytes / 1024, 1),
      loadMsMedian: round(median(r.loads), 1),
      loadMsRuns: r.loads.map((x) => round(x, 1)),
      ownCodeMs: round(median(r.loads) - sdkMedian, 1),
      loadRatioToSdkOnly: round(median(r.loads) / sdkMedian, 2),
      withinTarget: r.bytes <= BUNDLE_TARGET_BYTES,
    }));
    const maxBytes = Math.max(...result.map((r) => r.bytes));
    const checks: Row[] = result.map((r) => row('bundles', `Lambda bundle ${r.area} (minified, @aws-sdk/* external)`, r.kb, 'KB', ['<=', BUNDLE_TARGET_BYTES / 1024], `require ${r.loadMsMedian} ms`));
    return {
      key: 'bundles',
      maxBytes,
      json: {
        how: 'esbuild with the options CDK NodejsFunction passes for this stack: bundle, target node22, platform node, format cjs, minify, no source map, external @aws-sdk/*',
        targetBytes: BUNDLE_TARGET_BYTES,
        buildMs: Math.round(buildMs),
        loadRepeats: repeats,
        sdkOnlyLoadMsMedian: round(sdkMedian, 1),
        sdkOnlyLoadMsRuns: sdkMs.map((x) => round(x, 1)),
        functions: result,
      },
      rows: [
        ...result.map((r) => ({
          scenario: 'bundles',
          variant: `${r.area} function`,
          note: `${r.kb} KB minified (${r.gzipKb} KB gzip); require ${r.loadMsMedian} ms median of ${repeats} fresh processes = SDK-only ${round(sdkMedian, 1)} ms + ${r.ownCodeMs} ms own code${r.withinTarget ? '' : '; OVER 250 KB'}`,
        })),
      ],
      checks,
      notes: [
        'bundles: module load time is `require` of the bundle in a fresh Node process on this machine (including the @aws-sdk modules the Lambda runtime provides), a proxy for the init phase of a cold start, which on Lambda also includes runtime start-up and the first DynamoDB connection.',
      ],
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
