import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

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
    expect(inputs.every((file) => file.startsWith('client/') || file === 'lib/log/murmur2.ts')).toBe(true);
    const imports = Object.values(out.metafile.outputs).flatMap((o) => o.imports);
    expect(imports).toEqual([]);
    const code = out.outputFiles[0]!.text;
    expect(code).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b/);
    expect(code.length).toBeLessThan(40_000);
  });
});
