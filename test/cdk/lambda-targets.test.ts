/**
 * Lambda function targets of push subscriptions in the synthesized stack
 * (samsa:subscriptionLambdaTargets, cdk/settings.ts): the delivery role may
 * lambda:InvokeFunction exactly the configured ARN patterns — by default the
 * stack's own account and region, names samsa-target-* — and nothing when
 * the list is empty; the delivery function gets the same patterns; cdk-nag
 * stays clean, each wildcard acknowledged. Template only (no bundling).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSamsaApp } from '../../cdk/samsa-app';
import { CONTEXT_KEYS, resolveSettings } from '../../cdk/settings';
import { ROUTES } from '../../functions/http/routes';
import { DELIVERY_ENV } from '../../functions/subscriptions/aws-env';
import { synthTemplate, type TemplateOnly } from './template-only';

const KEY = CONTEXT_KEYS.subscriptionLambdaTargets;
const CONFIGURED = ['arn:aws:lambda:eu-west-1:111122223333:function:orders-*', 'arn:aws:lambda:eu-west-1:111122223333:function:billing:live'];

let byDefault: TemplateOnly;
let configured: TemplateOnly;
let none: TemplateOnly;
beforeAll(() => {
  byDefault = synthTemplate();
  configured = synthTemplate({}, { context: { [KEY]: CONFIGURED.join(',') } });
  none = synthTemplate({}, { context: { [KEY]: 'none' } });
}, 240_000);

const fnIdOf = (s: TemplateOnly) => s.stack.getLogicalId(s.stack.subscriptionDelivery.fn.node.defaultChild as never);
const deliveryStatements = (s: TemplateOnly) => {
  const roleId = s.resources[fnIdOf(s)].Properties.Role['Fn::GetAtt'][0];
  return Object.values(s.resources)
    .filter((r: any) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === roleId))
    .flatMap((r: any) => r.Properties.PolicyDocument.Statement);
};
const invokeStatements = (s: TemplateOnly) => deliveryStatements(s).filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('lambda:')));
const everyInvoke = (s: TemplateOnly) =>
  Object.values(s.resources)
    .filter((r: any) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r: any) => r.Properties.PolicyDocument.Statement)
    .filter((st: any) => [st.Action].flat().includes('lambda:InvokeFunction'));
const envOf = (s: TemplateOnly) => s.resources[fnIdOf(s)].Properties.Environment.Variables[DELIVERY_ENV.lambdaTargets];
const openFindings = (s: TemplateOnly) =>
  s.report.pluginReports.flatMap((p) => p.violations.map((v) => `${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`));
const DEFAULT_ARN = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:samsa-target-*']],
};

describe('Lambda targets of subscription delivery', () => {
  it('by default, may invoke only functions named samsa-target-* in the stack\'s own account and region', () => {
    expect(invokeStatements(byDefault)).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: DEFAULT_ARN }]);
    expect(envOf(byDefault)).toEqual(DEFAULT_ARN);
    expect(byDefault.stack.subscriptionDelivery.lambdaTargets).toHaveLength(1);
  });

  it('with samsa:subscriptionLambdaTargets, may invoke exactly those patterns, and the function gets them', () => {
    expect(invokeStatements(configured)).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: [...CONFIGURED].sort() }]);
    expect(envOf(configured)).toBe(CONFIGURED.join(','));
  });

  it('with none, has no lambda grant at all and tells the function so', () => {
    expect(invokeStatements(none)).toEqual([]);
    expect(envOf(none)).toBe('');
  });

  it('grants lambda:InvokeFunction on targets to no other role; the scheduler\'s and the resume function\'s invoke delivery only', () => {
    for (const s of [byDefault, configured]) {
      const d = s.stack.subscriptionDelivery;
      const schedulerRoleId = s.stack.getLogicalId(d.schedulerRole.node.defaultChild as never);
      // Resume starts a delivery run (cdk/stack.ts, allowWake): the delivery function's own ARN, nothing else.
      const startsDelivery = (st: any) => JSON.stringify(st.Resource) === JSON.stringify({ 'Fn::GetAtt': [fnIdOf(s), 'Arn'] });
      const others = Object.values(s.resources)
        .filter((r: any) => r.Type === 'AWS::IAM::Policy' && !r.Properties.Roles.some((ref: any) => ref.Ref === schedulerRoleId))
        .flatMap((r: any) => r.Properties.PolicyDocument.Statement)
        .filter((st: any) => [st.Action].flat().includes('lambda:InvokeFunction') && !startsDelivery(st));
      expect(others).toEqual(invokeStatements(s));
      expect(everyInvoke(s).filter(startsDelivery)).toHaveLength(2); // the scheduler role's and the resume function's
      expect(everyInvoke(s).length).toBe(others.length + 2);
    }
  });

  it('shares the same list with the function that serves POST /v1/subscriptions when the stack asks (shareLambdaTargets)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'samsa-tpl-'));
    try {
      const { stack } = createSamsaApp({ app: { outdir, context: { 'aws:cdk:bundling-stacks': [], [KEY]: CONFIGURED } } });
      const api = stack.functions.byArea[ROUTES.createSubscription.fn];
      stack.subscriptionDelivery.shareLambdaTargets(api);
      const resources = Template.fromStack(stack).toJSON().Resources;
      expect(resources[stack.getLogicalId(api.node.defaultChild as never)].Properties.Environment.Variables[DELIVERY_ENV.lambdaTargets]).toBe(CONFIGURED.join(','));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('leaves cdk-nag clean (each wildcard pattern acknowledged with its reason)', () => {
    for (const s of [byDefault, configured, none]) expect(openFindings(s)).toEqual([]);
    const suppressed = byDefault.report.pluginReports.flatMap((p) => p.suppressedViolations ?? []);
    expect(suppressed.some((v) => /samsa:subscriptionLambdaTargets/.test(v.reason))).toBe(true);
  });
});

describe('samsa:subscriptionLambdaTargets', () => {
  const settingsOf = (context: Record<string, unknown>) => resolveSettings(new Stack(new App({ context }), 'S'));

  it('reads a JSON array or a comma-separated list; none, [] or an empty string mean no Lambda targets; unset is the default', () => {
    expect(settingsOf({}).subscriptionLambdaTargets).toBeUndefined();
    expect(settingsOf({ [KEY]: CONFIGURED }).subscriptionLambdaTargets).toEqual(CONFIGURED);
    expect(settingsOf({ [KEY]: JSON.stringify(CONFIGURED) }).subscriptionLambdaTargets).toEqual(CONFIGURED);
    expect(settingsOf({ [KEY]: ` ${CONFIGURED[0]} ,${CONFIGURED[1]}` }).subscriptionLambdaTargets).toEqual(CONFIGURED);
    for (const empty of ['none', '', [], '[]']) expect(settingsOf({ [KEY]: empty }).subscriptionLambdaTargets).toEqual([]);
  });

  it('refuses what is not a Lambda function ARN pattern', () => {
    for (const bad of ['*', 'arn:aws:s3:::bucket/*', 'arn:aws:lambda:us-east-1:123:function:f', 42, { a: 1 }]) {
      expect(() => settingsOf({ [KEY]: bad }), JSON.stringify(bad)).toThrow(/samsa:subscriptionLambdaTargets/);
    }
  });
});
