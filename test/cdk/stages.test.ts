/**
 * Stages (`-c samsa:stage=NAME`): each stage is its own stack whose every
 * resource name derives from the stack name, so several stages live in one
 * account and region. Without a stage the stack keeps its original name and
 * its stateful resources (test/cdk/upgrade-safety.test.ts covers those).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_NAME, stackNameOf } from '../../cdk/samsa-app';
import { TABLES } from '../../lib/storage/schema';
import { synthTemplate, type TemplateOnly } from './template-only';

/** Properties that carry a physical name a second stage could collide with. */
const NAME_PROPERTIES = ['TableName', 'FunctionName', 'LogGroupName', 'AlarmName', 'DashboardName', 'TopicName', 'RoleName', 'Name', 'ServiceName', 'ClusterName', 'DisplayName'];

/** Every name given literally, as `Type.Property=value` (a reference to another resource names nothing new). */
function physicalNames(synth: TemplateOnly): string[] {
  return Object.values(synth.resources).flatMap((r: any) =>
    NAME_PROPERTIES.filter((p) => typeof r.Properties?.[p] === 'string').map((p) => `${r.Type}.${p}=${r.Properties[p]}`),
  );
}

const stage = (name: string | undefined, extra: Record<string, unknown> = {}) =>
  synthTemplate({ alarms: true, dashboard: true, lagMetrics: true }, { context: { ...(name === undefined ? {} : { 'samsa:stage': name }), ...extra } });

let original: TemplateOnly;
let dev: TemplateOnly;
let prod: TemplateOnly;
beforeAll(() => {
  original = stage(undefined);
  dev = stage('dev');
  prod = stage('prod');
}, 300_000);

describe('stages', () => {
  it('names the stack after the stage, and keeps the original name without one', () => {
    expect(stackNameOf(undefined)).toBe(STACK_NAME);
    expect(stackNameOf('')).toBe(STACK_NAME);
    expect(stackNameOf('dev')).toBe('Samsa-dev');
    expect(original.stack.stackName).toBe('Samsa');
    expect(dev.stack.stackName).toBe('Samsa-dev');
    // A stage changes names, not identities: the tables keep their schema logical ids in every stage.
    for (const def of Object.values(TABLES)) {
      expect(dev.resources[def.logicalId]?.Type).toBe('AWS::DynamoDB::Table');
      expect(original.resources[def.logicalId]?.Type).toBe('AWS::DynamoDB::Table');
    }
  });

  it('two stages synthesise side by side with distinct names for everything named', () => {
    expect(dev.stack.stackName).not.toBe(prod.stack.stackName);
    const devNames = physicalNames(dev);
    const prodNames = physicalNames(prod);
    // The API, the dashboard and the alarm topic are named; tables, functions, log groups and alarms get
    // CloudFormation names, which start with the stack name.
    expect(devNames).toEqual(expect.arrayContaining([
      'AWS::ApiGatewayV2::Api.Name=Samsa-dev',
      'AWS::CloudWatch::Dashboard.DashboardName=Samsa-dev-samsa',
      'AWS::SNS::Topic.DisplayName=Samsa Samsa-dev alarms',
    ]));
    expect(devNames.filter((n) => prodNames.includes(n))).toEqual([]);
    for (const name of devNames) expect(name).toMatch(/Samsa-dev/);
    for (const name of prodNames) expect(name).toMatch(/Samsa-prod/);
    // Same resources otherwise: a stage is a copy, not a variant (some CDK-made logical ids embed the stack name).
    const types = (s: TemplateOnly) => Object.values(s.resources).map((r: any) => r.Type).sort();
    expect(types(dev)).toEqual(types(prod));
    // Nothing is exported: CloudFormation export names are account-wide and would clash.
    expect(JSON.stringify(dev.template.toJSON().Outputs)).not.toMatch(/Export/);
  });

  it('tags a named stage for cost allocation, and leaves the original stack untagged', () => {
    const untagged = Object.values(original.resources).find((r: any) => r.Type === 'AWS::Lambda::Function') as any;
    expect(JSON.stringify(untagged.Properties.Tags ?? [])).not.toMatch(/samsa:stage/);
    const fn = Object.values(dev.resources).find((r: any) => r.Type === 'AWS::Lambda::Function') as any;
    expect(fn.Properties.Tags).toContainEqual({ Key: 'samsa:stage', Value: 'dev' });
  });

  it('refuses a stage name that cannot be part of every resource name', () => {
    for (const bad of ['1dev', 'dev_1', 'dev.prod', 'a'.repeat(21), 'has space']) {
      expect(() => stage(bad), bad).toThrow(/samsa:stage must be 1-20 letters, digits or hyphens/);
    }
  });
});
