/**
 * The CDK feature flags are set deliberately (cdk.json, applied by
 * cdk/samsa-app.ts): `cdk synth` prints no "feature flags are not configured"
 * warning, the values are the installed aws-cdk-lib's recommendations, and
 * setting them changes nothing but IAM policy documents (no table, function
 * or log group is replaced or renamed).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { cdkJsonContext } from '../../cdk/samsa-app';
import { SamsaStack } from '../../cdk/stack';
import { synthTemplate } from './template-only';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const RECOMMENDED = JSON.parse(readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8')) as Record<string, unknown>;
const WARNING = /feature flags are not configured/;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-flags-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** What the `cdk` CLI prints when it synthesises (`--app` given a cloud assembly, so no bundling) — from a directory without cdk.json. */
async function cliSynthOutput(assemblyDir: string): Promise<string> {
  const cli = require.resolve('aws-cdk/bin/cdk');
  const { stdout, stderr } = await run(process.execPath, [cli, 'synth', '-q', '--app', assemblyDir], { cwd: tempDir(), env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } });
  return stdout + stderr;
}

/** The stack without cdk.json's context: what an app that forgot the flags would synthesise. */
function withoutFlags(outdir: string): Template {
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new SamsaStack(app, 'Samsa');
  app.synth();
  return Template.fromStack(stack);
}

describe('CDK feature flags', () => {
  it('cdk.json sets every flag the installed aws-cdk-lib recommends, to its recommended value', () => {
    const context = cdkJsonContext();
    for (const [flag, value] of Object.entries(RECOMMENDED)) expect(context[flag], flag).toEqual(value);
  });

  it('`cdk synth` prints no unconfigured-feature-flag warning, and would without the flags', async () => {
    const configured = tempDir();
    synthTemplate({}, { outdir: configured });
    expect(await cliSynthOutput(configured)).not.toMatch(WARNING);
    const bare = tempDir();
    withoutFlags(bare);
    expect(await cliSynthOutput(bare)).toMatch(WARNING);
  }, 120_000);

  it('changes only IAM policy documents: no resource is added, removed or changed in any other way', () => {
    for (const settings of [{}, { alarms: true, dashboard: true, lagMetrics: true }]) {
      const withFlags = synthTemplate(settings).resources;
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new SamsaStack(app, 'Samsa', { settings });
      const without = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
      expect(Object.keys(withFlags).sort()).toEqual(Object.keys(without).sort());
      const changed = Object.keys(without).filter((id) => JSON.stringify(without[id]) !== JSON.stringify(withFlags[id]));
      for (const id of changed) {
        expect(without[id].Type, id).toBe('AWS::IAM::Policy');
        const { PolicyDocument: _a, ...restWith } = withFlags[id].Properties;
        const { PolicyDocument: _b, ...restWithout } = without[id].Properties;
        expect(restWith).toEqual(restWithout);
      }
    }
  });
});
