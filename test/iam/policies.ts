/**
 * The identity policy of each API function's Lambda role, read from the
 * synthesized template, and an IAM decision for a request against it by a
 * third-party simulator (@cloud-copilot/iam-simulate, AGPL: a test-only
 * devDependency, never bundled).
 *
 * Template ARNs are CloudFormation intrinsics; they are resolved to fixed
 * ARNs with one account and region, each table named by its schema logical
 * id (`table/LogTable`), so a call recorded against a test stack's tables can
 * be mapped to the same ARN by its logical table (request-context.ts).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { FunctionArea } from '../../functions/http/routes';
import { TABLES, type TableNames } from '../../lib/storage/schema';
import type { TemplateOnly } from '../cdk/template-only';

export const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export type TableKey = keyof TableNames;

export function tableArn(key: TableKey): string {
  return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLES[key].logicalId}`;
}

/** One IAM authorization request: what DynamoDB asks IAM for one table (or index) of one call. */
export interface IamRequest {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

export interface RolePolicy {
  /** A function area, or another function's label (test/iam/stream-workload.ts). */
  area: string;
  roleArn: string;
  /** Only the statements that can match a DynamoDB action; the others cannot change a DynamoDB decision. */
  document: { Version: string; Statement: any[] };
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export function rolePolicies(synth: TemplateOnly, areas: readonly FunctionArea[]): Record<FunctionArea, RolePolicy> {
  return Object.fromEntries(areas.map((area) => [area, functionPolicy(synth, area, synth.stack.functions.byArea[area])])) as Record<FunctionArea, RolePolicy>;
}

/** The identity policy of any function's role (`label` names it in decisions and messages). */
export function functionPolicy(synth: TemplateOnly, label: string, fn: { node: { defaultChild?: unknown } }): RolePolicy {
  const resources = synth.resources;
  const tableByLogicalId = new Map(Object.keys(TABLES).map((key) => [TABLES[key as TableKey].logicalId, key as TableKey]));
  const resolve = (value: any): any => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map(resolve);
    const [fn, arg] = Object.entries(value)[0] as [string, any];
    if (fn === 'Fn::GetAtt' && arg[1] === 'Arn' && tableByLogicalId.has(arg[0])) return tableArn(tableByLogicalId.get(arg[0])!);
    // The stream read of an event source mapping (DescribeStream, GetRecords, GetShardIterator).
    if (fn === 'Fn::GetAtt' && arg[1] === 'StreamArn' && tableByLogicalId.has(arg[0])) return `${tableArn(tableByLogicalId.get(arg[0])!)}/stream/*`;
    if (fn === 'Fn::Join') return (arg[1] as any[]).map(resolve).join(arg[0]);
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
    if (fn === 'Ref' && pseudo[arg] !== undefined) return pseudo[arg];
    throw new Error(`No test meaning for ${JSON.stringify(value)} in a DynamoDB statement: map it in test/iam/policies.ts.`);
  };
  const touchesDynamo = (s: any) => s.NotAction !== undefined || [s.Action].flat().some((a: string) => a === '*' || a.toLowerCase().startsWith('dynamodb:'));

  const fnId = synth.stack.getLogicalId(fn.node.defaultChild as never);
  const roleId = resources[fnId].Properties.Role['Fn::GetAtt'][0] as string;
  const attached = Object.values(resources)
    .filter((r: any) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === roleId))
    .flatMap((r: any) => r.Properties.PolicyDocument.Statement);
  const inline = (resources[roleId].Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
  if ((resources[roleId].Properties.ManagedPolicyArns ?? []).length > 0) throw new Error(`${roleId} has managed policies the test cannot read.`);
  const statements = [...attached, ...inline].filter(touchesDynamo).map((s) => ({ ...s, ...(s.Resource === undefined ? {} : { Resource: resolve(s.Resource) }) }));
  return { area: label, roleArn: `arn:aws:iam::${ACCOUNT}:role/${roleId}`, document: { Version: '2012-10-17', Statement: statements } };
}

const decisions = new Map<string, Promise<Decision>>();

/**
 * The simulator's decision for `request` made by `role` (identity policy only:
 * the tables have no resource policy, and no SCP or boundary is assumed).
 * Throws when the simulator rejects the input or ignores a context key (a key
 * that does not apply to the action would otherwise silently not be checked).
 */
export function decide(role: RolePolicy, request: IamRequest): Promise<Decision> {
  const key = JSON.stringify([role.area, request]);
  let decision = decisions.get(key);
  if (decision === undefined) decisions.set(key, (decision = simulate(role, request)));
  return decision;
}

async function simulate(role: RolePolicy, request: IamRequest): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: role.roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: request.context,
      },
      identityPolicies: [{ name: `${role.area}-role-policy`, policy: role.document }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') throw new Error(`Simulator rejected ${JSON.stringify(request)}: ${JSON.stringify(result.errors)}`);
  if (result.resultType !== 'single') throw new Error(`Unexpected wildcard simulation for ${JSON.stringify(request)}`);
  const ignored = result.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) throw new Error(`Simulator ignored context keys ${ignored.join(', ')} for ${request.action}`);
  return result.overallResult as Decision;
}
