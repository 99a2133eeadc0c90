import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ROUTE_KEYS } from '../../cdk/constructs/console';
import { FUNCTION_AREAS } from '../../cdk/function-areas';
import { ENV } from '../../functions/config';
import { READER_WRITTEN_ATTRIBUTES } from '../../lib/log/reader-writes';
import { apiGatewayPath, DEFAULT_ROUTE_FUNCTION, ROUTES, type FunctionArea } from '../../functions/http/routes';
import { TABLES, type TableDefinition } from '../../lib/storage/schema';
import { readValidationReport, synthesize, type Synthesized } from './synth';

let synth: Synthesized;
let resources: Record<string, { Type: string; Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

beforeAll(() => {
  synth = synthesize(mkdtempSync(join(tmpdir(), 'samsa-cdk-')));
  resources = synth.template.toJSON().Resources;
});
afterAll(() => synth?.cleanup());

const areas = Object.keys(FUNCTION_AREAS) as FunctionArea[];
const tableDefs = Object.values(TABLES) as TableDefinition[];

function ofType(type: string): [string, any][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** Resources of the HTTP API (the WebSocket API of push has its own, test/cdk/push.test.ts). */
function ofHttpApi(type: string): [string, any][] {
  const apiId = synth.logicalId(synth.stack.httpApi.api);
  return ofType(type).filter(([, r]) => r.Properties.ApiId?.Ref === apiId);
}

function functionLogicalId(area: FunctionArea): string {
  return synth.logicalId(synth.stack.functions.byArea[area]);
}

describe('tables', () => {
  it.each(tableDefs)('$logicalId keeps its logical id, keys, TTL and indexes from the schema', (def) => {
    const table = resources[def.logicalId];
    expect(table?.Type).toBe('AWS::DynamoDB::Table');
    const p = table!.Properties;
    expect(p.KeySchema).toEqual([
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: def.sortKey.name, KeyType: 'RANGE' },
    ]);
    const attributes = [def.partitionKey, def.sortKey, ...def.globalIndexes.flatMap((g) => [g.partitionKey, g.sortKey])];
    const expectedTypes = Object.fromEntries(attributes.map((a) => [a.name, a.type]));
    expect(Object.fromEntries(p.AttributeDefinitions.map((a: any) => [a.AttributeName, a.AttributeType]))).toEqual(expectedTypes);
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: def.timeToLiveAttribute, Enabled: true });
    expect(p.GlobalSecondaryIndexes ?? []).toEqual(
      def.globalIndexes.map((g) => ({
        IndexName: g.indexName,
        KeySchema: [
          { AttributeName: g.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: g.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection:
          g.projection === 'INCLUDE'
            ? { ProjectionType: 'INCLUDE', NonKeyAttributes: g.nonKeyAttributes }
            : { ProjectionType: g.projection },
      })),
    );
  });

  it.each(tableDefs)('$logicalId is on-demand, encrypted, point-in-time recoverable and retained', (def) => {
    const table = resources[def.logicalId]!;
    expect(table.Properties.BillingMode).toBe(def.billingMode);
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('declares no tables beyond the schema', () => {
    expect(ofType('AWS::DynamoDB::Table').map(([id]) => id).sort()).toEqual(tableDefs.map((d) => d.logicalId).sort());
  });
});

describe('functions', () => {
  it('creates exactly one function per function area, plus the web console, the push door and fan-out, and subscription delivery (the lag publisher is opt-in: monitoring.test.ts)', () => {
    const { push, subscriptionDelivery, webConsole } = synth.stack;
    const expected = [...areas.map(functionLogicalId), ...[webConsole.fn, push!.door, push!.fanOut, subscriptionDelivery.fn].map((f) => synth.logicalId(f))];
    expect(ofType('AWS::Lambda::Function').map(([id]) => id).sort()).toEqual(expected.sort());
  });

  it.each(areas)('%s runs Node.js 22 on arm64 with the memory and timeout of its spec', (area) => {
    const spec = FUNCTION_AREAS[area];
    const fn = resources[functionLogicalId(area)]!.Properties;
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.MemorySize).toBe(spec.memorySize);
    expect(fn.Timeout).toBe(spec.timeout.toSeconds());
    expect(fn.Timeout).toBeLessThan(30);
    expect(fn.Handler).toBe('index.handler');
  });

  it.each(areas)('%s logs to its own log group with explicit retention', (area) => {
    const fn = resources[functionLogicalId(area)]!.Properties;
    const logGroupId = fn.LoggingConfig.LogGroup.Ref as string;
    expect(resources[logGroupId]?.Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId]!.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it.each(areas)('%s gets both table names from the same call that grants access', (area) => {
    const fn = resources[functionLogicalId(area)]!.Properties;
    expect(fn.Environment.Variables).toMatchObject({
      [ENV.metaTable]: { Ref: TABLES.meta.logicalId },
      [ENV.logTable]: { Ref: TABLES.log.logicalId },
    });
  });

  it.each(areas)('%s may call exactly the DynamoDB actions of its spec, on the tables only', (area) => {
    const spec = FUNCTION_AREAS[area];
    const roleId = resources[functionLogicalId(area)]!.Properties.Role['Fn::GetAtt'][0] as string;
    const statements = policyStatementsOfRole(roleId).filter((s) => s.Condition === undefined && actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const granted: Record<string, string[]> = {};
    for (const s of statements) {
      for (const resource of [s.Resource].flat()) {
        const tableId = tableOfResource(resource);
        granted[tableId] = [...(granted[tableId] ?? []), ...actionsOf(s)];
      }
    }
    const expected = Object.fromEntries(
      (Object.keys(spec.tables) as (keyof typeof TABLES)[]).map((key) => [
        TABLES[key].logicalId,
        spec.tables[key].map((a) => `dynamodb:${a}`),
      ]),
    );
    for (const [tableId, actions] of Object.entries(granted)) expect(new Set(actions)).toEqual(new Set(expected[tableId]));
    expect(Object.keys(granted).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(areas)('%s gets conditional grants exactly as its spec confines them', (area) => {
    const spec = FUNCTION_AREAS[area];
    const roleId = resources[functionLogicalId(area)]!.Properties.Role['Fn::GetAtt'][0] as string;
    const conditional = policyStatementsOfRole(roleId).filter((s) => s.Condition !== undefined && actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const expected = [
      ...Object.entries(spec.queryPartitions ?? {}).map(([table, keys]) => ({
        Action: 'dynamodb:Query',
        Resource: { 'Fn::GetAtt': [TABLES[table as keyof typeof TABLES].logicalId, 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': keys } },
      })),
      ...Object.entries(spec.confinedWrites ?? {}).flatMap(([table, list]) =>
        list.map((w) => ({
          Action: w.actions.length === 1 ? `dynamodb:${w.actions[0]}` : w.actions.map((a) => `dynamodb:${a}`),
          Resource: { 'Fn::GetAtt': [TABLES[table as keyof typeof TABLES].logicalId, 'Arn'] },
          Condition: {
            ...(w.attributes === undefined
              ? {}
              : { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...w.attributes] }, StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] } }),
            ...(w.partitions === undefined ? {} : { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...w.partitions] } }),
          },
        })),
      ),
    ];
    // Action order is the policy minimizer's (feature flag @aws-cdk/aws-iam:minimizePolicies), not the spec's.
    const sorted = (statements: any[]) => statements.map(({ Effect: _e, Action, ...rest }) => ({ ...rest, Action: [Action].flat().sort() }));
    expect(sorted(conditional)).toEqual(sorted(expected));
  });

  it('lets no reader write a record payload: fetch and groups put only marker attributes and update only cursor attributes on the log', () => {
    for (const area of ['fetch', 'groups'] as const) {
      const roleId = resources[functionLogicalId(area)]!.Properties.Role['Fn::GetAtt'][0] as string;
      const writes = policyStatementsOfRole(roleId).filter(
        (s) => actionsOf(s).some((a) => a === 'dynamodb:PutItem' || a === 'dynamodb:UpdateItem') && JSON.stringify(s.Resource).includes(TABLES.log.logicalId),
      );
      const attributesOf = (action: string): string[] => {
        const found = writes.filter((s) => actionsOf(s).includes(action));
        expect(found, `${area} ${action}`).toHaveLength(1);
        return found[0].Condition['ForAllValues:StringEquals']['dynamodb:Attributes'];
      };
      const put = attributesOf('dynamodb:PutItem');
      const update = attributesOf('dynamodb:UpdateItem');
      expect(put).not.toContain('r');
      expect(put).toEqual(expect.arrayContaining(['pk', 'sk', 'o', 'ab', 'ttl']));
      expect(put).not.toContain('cur');
      expect(update).toEqual(expect.arrayContaining(['pk', 'sk', 'o', 'cur', 'ls']));
      expect(update).not.toContain('ttl');
      expect([...new Set([...put, ...update])].sort()).toEqual([...READER_WRITTEN_ATTRIBUTES].sort());
    }
    const produceRole = resources[functionLogicalId('produce')]!.Properties.Role['Fn::GetAtt'][0] as string;
    expect(policyStatementsOfRole(produceRole).flatMap(actionsOf)).not.toContain('dynamodb:DeleteItem');
  });

  it.each(areas)('%s reserves no concurrency by default, and has the auth settings, and no secret, in its environment', (area) => {
    const fn = resources[functionLogicalId(area)]!.Properties;
    expect(fn.ReservedConcurrentExecutions).toBeUndefined();
    expect(fn.Environment.Variables).toMatchObject({ [ENV.authMode]: 'api-keys', [ENV.superUsers]: 'admin' });
    for (const name of Object.keys(fn.Environment.Variables)) expect(name).not.toMatch(/SECRET|PASSWORD|TOKEN|API_KEY/i);
  });

  it('no IAM policy grants dynamodb:* or any DynamoDB action on Resource "*"', () => {
    const all = [
      ...ofType('AWS::IAM::Policy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement),
      ...ofType('AWS::IAM::Role').flatMap(([, r]) => (r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement)),
    ];
    // dynamodb:ListStreams (the stream event sources' grant) takes no resource but "*"; it lists stream ARNs and reads no data.
    const listStreams = all.filter((s) => actionsOf(s).includes('dynamodb:ListStreams'));
    for (const s of listStreams) expect(actionsOf(s).filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:ListStreams']);
    const dynamo = all.filter((s) => !listStreams.includes(s) && actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.length).toBeGreaterThan(0);
    for (const s of dynamo) {
      expect(actionsOf(s)).not.toContain('dynamodb:*');
      expect(actionsOf(s).every((a) => !a.includes('*'))).toBe(true);
      for (const resource of [s.Resource].flat()) {
        expect(resource).not.toBe('*');
        expect(tableOfResource(resource)).toMatch(/^(MetaTable|LogTable)$/);
      }
    }
  });

  it('attaches no managed policies to function roles', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('HTTP API', () => {
  it('uses payload format 2.0 with one integration per function area in use, plus the web console', () => {
    const integrations = ofHttpApi('AWS::ApiGatewayV2::Integration');
    const used = new Set<FunctionArea>([DEFAULT_ROUTE_FUNCTION, ...Object.values(ROUTES).map((r) => r.fn)]);
    expect(integrations).toHaveLength(used.size + 1);
    for (const [, i] of integrations) {
      expect(i.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    }
  });

  it.each(Object.entries(ROUTES))('routes %s to its function area', (_id, route) => {
    const routeKey = `${route.method} ${apiGatewayPath(route.path)}`;
    expect(functionOfRouteKey(routeKey)).toBe(functionLogicalId(route.fn));
  });

  it('sends unmatched requests ($default) to the function that answers with the error envelope', () => {
    expect(functionOfRouteKey('$default')).toBe(functionLogicalId(DEFAULT_ROUTE_FUNCTION));
  });

  it('has no routes beyond ROUTES, $default and the web console', () => {
    const keys = ofHttpApi('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    const expected = ['$default', ...CONSOLE_ROUTE_KEYS, ...Object.values(ROUTES).map((r) => `${r.method} ${apiGatewayPath(r.path)}`)];
    expect(keys.sort()).toEqual(expected.sort());
  });

  it('throttles the default stage and writes JSON access logs without headers', () => {
    const [[, stage]] = ofHttpApi('AWS::ApiGatewayV2::Stage') as [[string, any]];
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
    });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format) as Record<string, string>;
    expect(format.requestId).toBe('$context.requestId');
    expect(Object.values(format).every((v) => !/header|authorizer/i.test(v))).toBe(true);
    const logGroupId = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(resources[logGroupId]!.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('configures no CORS unless origins are given', () => {
    const api = resources[synth.logicalId(synth.stack.httpApi.api)]!;
    expect(api.Properties.ProtocolType).toBe('HTTP');
    expect(api.Properties.CorsConfiguration).toBeUndefined();
  });

  it('outputs the API URL', () => {
    synth.template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'ApiEndpoint'] } });
    // `samsa keys bootstrap` and `samsa doctor` need the table names.
    synth.template.hasOutput('MetaTableName', { Value: { Ref: TABLES.meta.logicalId } });
    synth.template.hasOutput('LogTableName', { Value: { Ref: TABLES.log.logicalId } });
  });
});

describe('web console', () => {
  it('serves GET /console and GET /console/{proxy+} from its own function, without an authorizer', () => {
    for (const key of CONSOLE_ROUTE_KEYS) {
      expect(functionOfRouteKey(key)).toBe(synth.logicalId(synth.stack.webConsole.fn));
      const [, route] = ofType('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === key)!;
      expect(route.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    }
    synth.template.hasOutput('ConsoleUrl', { Value: { 'Fn::Join': ['', [Match.anyValue(), '/console/']] } });
  });

  it('may not touch the tables: its role writes its own log group and X-Ray traces, nothing else', () => {
    const fn = resources[synth.logicalId(synth.stack.webConsole.fn)]!.Properties;
    expect(Object.keys(fn.Environment.Variables)).toEqual(['POWERTOOLS_SERVICE_NAME']);
    const roleId = fn.Role['Fn::GetAtt'][0] as string;
    const actions = policyStatementsOfRole(roleId).flatMap(actionsOf);
    expect(actions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([]);
    expect(resources[roleId]!.Properties.Policies).toBeUndefined();
  });
});

describe('cdk-nag', () => {
  it('ran the AwsSolutions and Serverless packs and left no unacknowledged error or warning', () => {
    const report = readValidationReport(synth.assembly);
    const plugins = report.pluginReports.map((p) => p.pluginName);
    expect(plugins).toEqual(expect.arrayContaining(['AwsSolutions', 'Serverless']));
    const open = report.pluginReports.flatMap((p) =>
      p.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`),
    );
    expect(open).toEqual([]);
  });

  it('gives every acknowledgement a reason', () => {
    const acknowledged = readValidationReport(synth.assembly).pluginReports.flatMap((p) => p.suppressedViolations ?? []);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const a of acknowledged) expect(a.reason.length, a.ruleName).toBeGreaterThan(40);
  });
});

describe('settings', { timeout: 180_000 }, () => {
  it('configures CORS and throttling from settings', () => {
    const custom = synthesize(mkdtempSync(join(tmpdir(), 'samsa-cdk-')), {
      corsOrigins: ['https://console.example.com'],
      throttle: { rateLimit: 5, burstLimit: 10 },
    });
    try {
      custom.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: {
          AllowOrigins: ['https://console.example.com'],
          ExposeHeaders: Match.arrayWith(['x-request-id']),
        },
      });
      custom.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        DefaultRouteSettings: { ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 },
      });
    } finally {
      custom.cleanup();
    }
  });

  it('throttles administrative routes more tightly than the stage', () => {
    const settings = ofHttpApi('AWS::ApiGatewayV2::Stage')[0]![1].Properties.RouteSettings;
    expect(settings[`POST ${apiGatewayPath(ROUTES.createTopic.path)}`]).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    expect(settings[`POST ${apiGatewayPath(ROUTES.createApiKey.path)}`]).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    expect(settings[`POST ${apiGatewayPath(ROUTES.produce.path)}`]).toBeUndefined();
  });

  it('puts a JWT authorizer on every route but the public ones (health, the OpenAPI document) in JWT mode, and refuses an open deployment', () => {
    const jwt = synthesize(mkdtempSync(join(tmpdir(), 'samsa-cdk-')), {}, {
      authMode: 'jwt',
      jwt: { issuer: 'https://issuer.example.com/', audience: ['samsa'] },
      reservedConcurrency: false,
    });
    try {
      jwt.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        JwtConfiguration: { Issuer: 'https://issuer.example.com/', Audience: ['samsa'] },
      });
      // The HTTP API's routes (the WebSocket API's $connect has its own Lambda authorizer: test/cdk/push.test.ts).
      const httpApiId = jwt.logicalId(jwt.stack.httpApi.api);
      const routes = Object.values(jwt.template.findResources('AWS::ApiGatewayV2::Route'))
        .map((r) => r.Properties)
        .filter((r) => r.ApiId.Ref === httpApiId);
      expect(routes.length).toBe(Object.keys(ROUTES).length + 1 + CONSOLE_ROUTE_KEYS.length);
      const open: string[] = [`GET ${apiGatewayPath(ROUTES.health.path)}`, `GET ${apiGatewayPath(ROUTES.openApi.path)}`, ...CONSOLE_ROUTE_KEYS];
      for (const route of routes) {
        const expected = open.includes(route.RouteKey) ? 'NONE' : 'JWT';
        expect(route.AuthorizationType ?? 'NONE', route.RouteKey).toBe(expected);
      }
      for (const fn of Object.values(jwt.template.findResources('AWS::Lambda::Function'))) {
        expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
      }
    } finally {
      jwt.cleanup();
    }
    expect(() => synthesize(mkdtempSync(join(tmpdir(), 'samsa-cdk-')), {}, { authMode: 'none' as never })).toThrow(/never open/);
    expect(() => synthesize(mkdtempSync(join(tmpdir(), 'samsa-cdk-')), {}, { authMode: 'jwt' })).toThrow(/samsa:jwtIssuer/);
  });

  it('passes limit overrides to every function as SAMSA_LIMIT_* variables', () => {
    const custom = synthesize(mkdtempSync(join(tmpdir(), 'samsa-cdk-')), { limits: { maxPartitionsPerTopic: 64 } });
    try {
      // All but the web console's, which reads no limits.
      const consoleId = custom.logicalId(custom.stack.webConsole.fn);
      const functions = Object.entries(custom.template.findResources('AWS::Lambda::Function')).filter(([id]) => id !== consoleId).map(([, fn]) => fn);
      expect(functions.length).toBeGreaterThan(0);
      for (const fn of functions) {
        expect(fn.Properties.Environment.Variables).toMatchObject({ SAMSA_LIMIT_MAX_PARTITIONS_PER_TOPIC: '64' });
      }
    } finally {
      custom.cleanup();
    }
  });
});

// --- template helpers --------------------------------------------------------

function actionsOf(statement: { Action: string | string[] }): string[] {
  return [statement.Action].flat();
}

function policyStatementsOfRole(roleId: string): any[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

/** `MetaTable` for `{Fn::GetAtt: [MetaTable, Arn]}` or `<MetaTable arn>/index/<name>`; throws on anything else. */
function tableOfResource(resource: any): string {
  if (resource?.['Fn::GetAtt']?.[1] === 'Arn' || resource?.['Fn::GetAtt']?.[1] === 'StreamArn') return resource['Fn::GetAtt'][0];
  const parts = resource?.['Fn::Join']?.[1];
  if (Array.isArray(parts) && parts.length === 2 && /^\/index\/[A-Za-z0-9_.-]+$/.test(parts[1])) return tableOfResource(parts[0]);
  throw new Error(`Not a table or index ARN: ${JSON.stringify(resource)}`);
}

function functionOfRouteKey(routeKey: string): string {
  const route = ofHttpApi('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === routeKey);
  if (!route) throw new Error(`No route ${routeKey}`);
  const integrationId = route[1].Properties.Target['Fn::Join'][1][1].Ref as string;
  return resources[integrationId]!.Properties.IntegrationUri['Fn::GetAtt'][0];
}
