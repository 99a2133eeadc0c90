/**
 * IAM of Lambda function targets, decided by the policy simulator
 * (./policies.ts) against the delivery role's synthesized lambda statements:
 * the invocations delivery makes (lib/subscriptions/lambda-invoke.ts, one
 * lambda:InvokeFunction on the endpoint ARN as given, qualifier included)
 * are allowed for the targets samsa:subscriptionLambdaTargets names and
 * denied for every other function, and lib's own matching
 * (matchesTargetPattern, which create and delivery use) decides the same
 * as IAM for each of them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_KEYS } from '../../cdk/settings';
import { isAllowedTarget } from '../../lib/subscriptions/lambda-targets';
import { synthTemplate, type TemplateOnly } from '../cdk/template-only';
import { ACCOUNT, decide, type RolePolicy } from './policies';

const REGION = 'us-east-1';
const fn = (name: string, account = ACCOUNT, region = REGION) => `arn:aws:lambda:${region}:${account}:function:${name}`;

/** The delivery role's lambda statements, template references resolved to the simulator's account and region. */
/** `label` must differ per policy: decide() caches decisions by label and request. */
function lambdaPolicy(synth: TemplateOnly, label: string): RolePolicy {
  const resources = synth.resources;
  const fnId = synth.stack.getLogicalId(synth.stack.subscriptionDelivery.fn.node.defaultChild as never);
  const roleId = resources[fnId].Properties.Role['Fn::GetAtt'][0] as string;
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT };
  const resolve = (v: any): any => {
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map(resolve);
    if (v.Ref !== undefined && pseudo[v.Ref] !== undefined) return pseudo[v.Ref];
    if (v['Fn::Join'] !== undefined) return (v['Fn::Join'][1] as any[]).map(resolve).join(v['Fn::Join'][0]);
    throw new Error(`No test meaning for ${JSON.stringify(v)}`);
  };
  const statements = Object.values(resources)
    .filter((r: any) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === roleId))
    .flatMap((r: any) => r.Properties.PolicyDocument.Statement)
    .filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('lambda:') || a === '*'))
    .map((s: any) => ({ ...s, Resource: resolve(s.Resource) }));
  return { area: label, roleArn: `arn:aws:iam::${ACCOUNT}:role/${roleId}`, document: { Version: '2012-10-17', Statement: statements } };
}

const invoke = (arn: string) => ({ action: 'lambda:InvokeFunction', resource: arn, context: {} });

let byDefault: RolePolicy;
let configured: RolePolicy;
const CONFIGURED = [fn('orders-*', '111122223333', 'eu-west-1'), fn('billing', '111122223333', 'eu-west-1')];
beforeAll(() => {
  byDefault = lambdaPolicy(synthTemplate(), 'delivery-lambda-default');
  configured = lambdaPolicy(synthTemplate({}, { context: { [CONTEXT_KEYS.subscriptionLambdaTargets]: CONFIGURED } }), 'delivery-lambda-configured');
}, 240_000);

describe('the delivery role invoking Lambda targets', () => {
  const defaults = [fn('samsa-target-orders'), `${fn('samsa-target-orders')}:live`, `${fn('samsa-target-orders')}:3`, fn('samsa-target-')];
  const outsideDefault = [fn('orders'), fn('Samsa-target-orders'), fn('samsa-target-orders', '999999999999'), fn('samsa-target-orders', ACCOUNT, 'eu-west-1'), fn('my-samsa-target-x')];

  it('by default may invoke samsa-target-* of its own account and region, aliases and versions included, and nothing else', async () => {
    for (const arn of defaults) expect([arn, await decide(byDefault, invoke(arn))]).toEqual([arn, 'Allowed']);
    for (const arn of outsideDefault) expect([arn, await decide(byDefault, invoke(arn))]).toEqual([arn, 'ImplicitlyDenied']);
  });

  it('with samsa:subscriptionLambdaTargets may invoke exactly those (a plain ARN: the unqualified function only)', async () => {
    const allowed = [fn('orders-eu', '111122223333', 'eu-west-1'), fn('billing', '111122223333', 'eu-west-1')];
    const denied = [`${fn('billing', '111122223333', 'eu-west-1')}:live`, fn('samsa-target-orders'), fn('orders-eu')];
    for (const arn of allowed) expect([arn, await decide(configured, invoke(arn))]).toEqual([arn, 'Allowed']);
    for (const arn of denied) expect([arn, await decide(configured, invoke(arn))]).toEqual([arn, 'ImplicitlyDenied']);
  });

  it("decides as lib's matching does, so create and delivery refuse what IAM would deny", async () => {
    const patterns = (p: RolePolicy) => p.document.Statement.flatMap((s: any) => [s.Resource].flat() as string[]);
    for (const [policy, arns] of [
      [byDefault, [...defaults, ...outsideDefault]],
      [configured, [...CONFIGURED.map((c) => c.replace('*', 'x')), fn('other', '111122223333', 'eu-west-1'), `${CONFIGURED[1]}:live`]],
    ] as const) {
      for (const arn of arns) expect([arn, isAllowedTarget(arn, patterns(policy))]).toEqual([arn, (await decide(policy, invoke(arn))) === 'Allowed']);
    }
  });
});
