/**
 * `npm run build:packages`: builds the two publishable packages from the
 * repository's sources into packages/client/dist and packages/cli/dist
 * (gitignored; `npm pack packages/client` runs it too, through prepack).
 *
 * - @samsa/client: client/index.ts and client/kafkajs/index.ts, each as one
 *   self-contained ESM (.js) and CJS (.cjs) file with esbuild, plus one
 *   bundled declaration file each (.d.ts, and the same text as .d.cts) with
 *   rollup-plugin-dts. Self-contained per entry (no shared chunk): esbuild
 *   cannot split CJS, and ESM and CJS should behave alike.
 * - @samsa/cli: cli/bin.ts as ESM for Node 20 with a shebang. The AWS SDK
 *   (only `doctor` and `keys bootstrap` use it, through dynamic imports) stays
 *   external and, with code splitting, lives only in chunks those two
 *   commands load; it is an optional peer dependency (packages/cli/README.md).
 *
 * Each build checks its metafile: the SDK may only contain client/ and
 * lib/protocol/ (a zod schema would bring node_modules/zod along), its main
 * entry may import nothing and the KafkaJS facade only node:buffer; the main
 * declarations import nothing, the facade's only Node's types. A violation
 * fails the build rather than ship.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGES = { client: join(ROOT, 'packages/client'), cli: join(ROOT, 'packages/cli') };

const SDK_ENTRIES = { index: 'client/index.ts', kafkajs: 'client/kafkajs/index.ts' };
/** What each SDK entry may import at run time: the facade's Buffer is Node's (also Bun's and Deno's). */
const SDK_IMPORTS: Record<keyof typeof SDK_ENTRIES, string[]> = { index: [], kafkajs: ['node:buffer'] };
/** What each entry's declarations may import: the facade's types name Node's Buffer, Socket and TLS options, as KafkaJS's own do (@types/node). */
const SDK_TYPE_IMPORTS: Record<keyof typeof SDK_ENTRIES, string[]> = { index: [], kafkajs: ['node:buffer', 'node:net', 'node:tls'] };

export async function buildPackages(): Promise<void> {
  await Promise.all([buildClient(), buildCli()]);
}

async function buildClient(): Promise<void> {
  const dist = join(PACKAGES.client, 'dist');
  rmSync(dist, { recursive: true, force: true });
  const [esm, cjs] = await Promise.all(
    (['esm', 'cjs'] as const).map((format) =>
      build({
        absWorkingDir: ROOT,
        entryPoints: SDK_ENTRIES,
        outdir: dist,
        outExtension: { '.js': format === 'esm' ? '.js' : '.cjs' },
        bundle: true,
        format,
        // Neutral: no Node built-in is polyfilled or assumed; browsers, Deno, Bun, Lambda and Node alike.
        platform: 'neutral',
        target: 'es2022',
        external: ['node:buffer'],
        metafile: true,
        logLevel: 'warning',
      }),
    ),
  );
  checkSdkMetafile(esm!.metafile);
  checkSdkMetafile(cjs!.metafile);
  await Promise.all(Object.entries(SDK_ENTRIES).map(([name, input]) => buildDeclarations(name as keyof typeof SDK_ENTRIES, input, dist)));
  copyFileSync(join(ROOT, 'LICENSE'), join(PACKAGES.client, 'LICENSE'));
}

function checkSdkMetafile(metafile: Metafile): void {
  const foreign = Object.keys(metafile.inputs).filter((file) => !file.startsWith('client/') && !file.startsWith('lib/protocol/'));
  if (foreign.length > 0) throw new Error(`@samsa/client would bundle files from outside client/ and lib/protocol/: ${foreign.join(', ')}`);
  for (const [file, output] of Object.entries(metafile.outputs)) {
    const entry = output.entryPoint === 'client/index.ts' ? 'index' : 'kafkajs';
    const extra = output.imports.map((i) => i.path).filter((path) => !SDK_IMPORTS[entry].includes(path));
    if (extra.length > 0) throw new Error(`${file} would import ${extra.join(', ')} at run time`);
  }
}

/** One declaration file per entry with every type it needs inlined; written as .d.ts (ESM) and .d.cts (CJS). */
async function buildDeclarations(name: keyof typeof SDK_ENTRIES, input: string, dist: string): Promise<void> {
  const bundle = await rollup({
    input: join(ROOT, input),
    plugins: [dts({ tsconfig: join(ROOT, 'tsconfig.json'), compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true } })],
    // Only Node's Buffer may stay an import (the facade's); anything else unresolved is an error below.
    external: (id) => !id.startsWith('.') && !id.startsWith('/'),
    onwarn: (warning) => {
      throw new Error(`declarations of ${input}: ${warning.message}`);
    },
  });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  const chunks = output.filter((o) => o.type === 'chunk');
  if (chunks.length !== 1) throw new Error(`declarations of ${input}: expected one file, got ${chunks.length}`);
  const chunk = chunks[0]!;
  const extra = [...chunk.imports, ...chunk.dynamicImports].filter((path) => !SDK_TYPE_IMPORTS[name].includes(path));
  if (extra.length > 0) throw new Error(`declarations of ${input} would import ${extra.join(', ')}`);
  const header = `// Type declarations of @samsa/client${name === 'index' ? '' : `/${name}`}, bundled from the Samsa sources.\n`;
  writeFileSync(join(dist, `${name}.d.ts`), header + chunk.code);
  writeFileSync(join(dist, `${name}.d.cts`), header + chunk.code);
}

async function buildCli(): Promise<void> {
  const dist = join(PACKAGES.cli, 'dist');
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { samsa: 'cli/bin.ts' },
    outdir: dist,
    // Chunks beside the entry: cli/main.ts finds the package's version at ../package.json.
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    external: ['@aws-sdk/*', '@smithy/*'],
    metafile: true,
    logLevel: 'warning',
  });
  // Startup must not need the AWS SDK: only the lazily loaded chunks may import it.
  const eager = staticImports(result.metafile, relative(ROOT, join(dist, 'samsa.js'))).filter((path) => !path.startsWith('node:'));
  if (eager.length > 0) throw new Error(`the samsa bin would import at startup: ${eager.join(', ')}`);
  copyFileSync(join(ROOT, 'LICENSE'), join(PACKAGES.cli, 'LICENSE'));
}

/** The packages an output loads before it runs, through the chunks it imports statically. */
function staticImports(metafile: Metafile, output: string, seen = new Set<string>()): string[] {
  if (seen.has(output)) return [];
  seen.add(output);
  return (metafile.outputs[output]?.imports ?? [])
    .filter((i) => i.kind === 'import-statement')
    .flatMap((i) => (i.external ? [i.path] : staticImports(metafile, i.path, seen)));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  await buildPackages();
  console.log(`built ${relative(ROOT, PACKAGES.client)}/dist and ${relative(ROOT, PACKAGES.cli)}/dist in ${Date.now() - started} ms`);
}
