import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROUTE_SUMMARIES } from '../../lib/protocol/route-summaries';

describe('SDK bundle', () => {
  it('bundles for any platform with no runtime dependency and no Node built-in', async () => {
    const out = await build({
      entryPoints: ['client/index.ts'],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      minify: true,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs);
    // The SDK and the dependency-free part of the wire contract; a zod schema file would bring node_modules/zod inputs along.
    expect(inputs.filter((file) => !file.startsWith('client/') && !file.startsWith('lib/protocol/'))).toEqual([]);
    const imports = Object.values(out.metafile.outputs).flatMap((o) => o.imports);
    expect(imports).toEqual([]);
    const code = out.outputFiles[0]!.text;
    expect(code).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b/);
    // The route table travels with the SDK; what each route does is for the OpenAPI document only.
    for (const summary of Object.values(ROUTE_SUMMARIES)) expect(code).not.toContain(summary);
    // 40 KB until the SDK checked its arguments (client/validate.ts and each call's field table, so an
    // unknown or missing field fails before anything is sent): that costs about 4.4 KB, of which moving
    // the route summaries out (above) paid 1.3 KB; 43 KB left room for little else. Transactions
    // (client/transaction.ts: producer.transaction(), its sequencer and argument checks) cost 2.8 KB: 46 KB.
    // Push subscriptions (client/subscriptions.ts and six routes) take it to 46.6 KB: 47 KB.
    // WebSocket notifications (client/notifications.ts, the partition consumer waiting on them) cost 3.0 KB
    // (measured 46,651 → 49,652 bytes): 50 KB.
    // Group members on notifications (client/group-wake.ts, link/unlink and make-before-break rotation in
    // client/notifications.ts, the group consumer waiting on them) cost 3.9 KB (measured 49,652 → 53,524 bytes): 54 KB.
    // A bearer token for notifications in JWT mode (client/notifications.ts: a string or a function asked
    // before each connect) cost 0.6 KB (53,524 → 54,128), and splitting the group consumer into files
    // named for what they hold (class layers) 0.3 KB more (→ 54,453): 55 KB.
    expect(code.length).toBeLessThan(55_000);
  });
});
