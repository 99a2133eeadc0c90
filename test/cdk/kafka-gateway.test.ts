/**
 * The optional Kafka gateway service (`-c samsa:kafkaGateway=true`,
 * cdk/constructs/kafka-gateway.ts): off by default, refused without a TLS
 * certificate, an arm64 Fargate service from an image that synth only
 * stages (no Docker needed), behind a TLS listener of a Network Load
 * Balancer, CPU autoscaling from 1, advertising the balancer, with exactly
 * the API functions' table grants, cdk-nag clean.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_CONTAINER_PORT, GATEWAY_TLS_PORT } from '../../cdk/constructs/kafka-gateway';
import { FUNCTION_AREAS } from '../../cdk/function-areas';
import type { FunctionArea } from '../../functions/http/routes';
import { synthTemplate, type TemplateOnly } from './template-only';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc';
const ON = { 'samsa:kafkaGateway': 'true', 'samsa:kafkaCertificateArn': CERT };

let plain: TemplateOnly;
let gw: TemplateOnly;
let outdir: string;
beforeAll(() => {
  plain = synthTemplate();
  outdir = mkdtempSync(join(tmpdir(), 'samsa-gw-'));
  gw = synthTemplate({}, { outdir, context: ON });
}, 300_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const ofType = (s: TemplateOnly, type: string): [string, any][] => Object.entries(s.resources).filter(([, r]) => r.Type === type);
const one = (s: TemplateOnly, type: string) => {
  const found = ofType(s, type);
  expect(found, type).toHaveLength(1);
  return found[0]![1].Properties;
};

describe('Kafka gateway service', () => {
  it('is off by default: no container, load balancer or VPC', () => {
    const types = Object.values(plain.resources).map((r: any) => r.Type as string);
    expect(types.filter((t) => /ECS|ElasticLoadBalancing|EC2::VPC|ApplicationAutoScaling/.test(t))).toEqual([]);
    expect(Object.keys(plain.template.toJSON().Outputs)).not.toContain('KafkaBootstrap');
  });

  it('refuses to synthesise without a certificate ARN, saying what to set', () => {
    expect(() => synthTemplate({}, { context: { 'samsa:kafkaGateway': 'true' } })).toThrow(/samsa:kafkaGateway=true needs samsa:kafkaCertificateArn/);
    expect(() => synthTemplate({}, { context: { ...ON, 'samsa:kafkaCertificateArn': 'my-cert' } })).toThrow(/ACM certificate/);
  }, 120_000);

  it('runs an arm64 Fargate task from an image asset that synth stages without building it', () => {
    const task = one(gw, 'AWS::ECS::TaskDefinition');
    expect(task.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
    expect(task.RequiresCompatibilities).toEqual(['FARGATE']);
    const assets = JSON.parse(readFileSync(join(outdir, `${gw.stack.stackName}.assets.json`), 'utf8'));
    const images = Object.values(assets.dockerImages) as any[];
    expect(images).toHaveLength(1);
    expect(images[0].source).toMatchObject({ dockerFile: 'kafka/Dockerfile', platform: 'linux/arm64' });
    // The staged build context is what the Dockerfile copies, not the repository (node_modules, cdk.out, .git).
    const context = readdirSync(join(outdir, images[0].source.directory)).sort();
    expect(context).toEqual(['functions', 'kafka', 'lib', 'package-lock.json', 'package.json', 'tsconfig.json']);
  });

  it('listens with TLS on the load balancer and forwards TCP to the tasks, which only the balancer may reach', () => {
    expect(one(gw, 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toMatchObject({ Type: 'network', Scheme: 'internet-facing' });
    const listener = one(gw, 'AWS::ElasticLoadBalancingV2::Listener');
    expect(listener).toMatchObject({ Port: GATEWAY_TLS_PORT, Protocol: 'TLS', Certificates: [{ CertificateArn: CERT }] });
    expect(listener.SslPolicy).toMatch(/TLS13/);
    expect(one(gw, 'AWS::ElasticLoadBalancingV2::TargetGroup')).toMatchObject({ Port: GATEWAY_CONTAINER_PORT, Protocol: 'TCP', TargetType: 'ip', HealthCheckProtocol: 'TCP' });
    const service = one(gw, 'AWS::ECS::Service');
    expect(service.LaunchType).toBe('FARGATE');
    const taskGroups = service.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups.map((g: any) => g['Fn::GetAtt'][0]);
    const ingress = ofType(gw, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties).filter((i) => taskGroups.includes(i.GroupId['Fn::GetAtt'][0]));
    expect(ingress).toHaveLength(1);
    expect(ingress[0].SourceSecurityGroupId).toBeDefined();
    expect(ingress[0].CidrIp).toBeUndefined();
  });

  it('scales on CPU with at least one task', () => {
    expect(one(gw, 'AWS::ApplicationAutoScaling::ScalableTarget')).toMatchObject({ MinCapacity: 1, MaxCapacity: 4 });
    const policy = one(gw, 'AWS::ApplicationAutoScaling::ScalingPolicy');
    expect(policy.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType).toBe('ECSServiceAverageCPUUtilization');
  });

  it('advertises the load balancer (or the configured domain) on the TLS port, and outputs it as the bootstrap address', () => {
    const env = (s: TemplateOnly) => Object.fromEntries(one(s, 'AWS::ECS::TaskDefinition').ContainerDefinitions[0].Environment.map((e: any) => [e.Name, e.Value]));
    const nlbId = ofType(gw, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0]![0];
    expect(env(gw)).toMatchObject({
      SAMSA_KAFKA_ADVERTISED_HOST: { 'Fn::GetAtt': [nlbId, 'DNSName'] },
      SAMSA_KAFKA_ADVERTISED_PORT: String(GATEWAY_TLS_PORT),
      SAMSA_KAFKA_PORT: String(GATEWAY_CONTAINER_PORT),
      SAMSA_AUTH_MODE: 'api-keys',
    });
    expect(env(gw).SAMSA_META_TABLE).toEqual({ Ref: 'MetaTable' });
    expect(JSON.stringify(gw.template.toJSON().Outputs.KafkaBootstrap.Value)).toContain(nlbId);
    const named = synthTemplate({}, { context: { ...ON, 'samsa:kafkaDomain': 'kafka.example.com' } });
    expect(env(named).SAMSA_KAFKA_ADVERTISED_HOST).toBe('kafka.example.com');
    expect(named.template.toJSON().Outputs.KafkaBootstrap.Value).toBe(`kafka.example.com:${GATEWAY_TLS_PORT}`);
  }, 120_000);

  it('logs to its own log group with retention', () => {
    const logs = ofType(gw, 'AWS::Logs::LogGroup').filter(([id]) => id.startsWith('KafkaGateway'));
    expect(logs).toHaveLength(1);
    expect(logs[0]![1].Properties.RetentionInDays).toBe(30);
    const logConfig = one(gw, 'AWS::ECS::TaskDefinition').ContainerDefinitions[0].LogConfiguration;
    expect(logConfig.Options['awslogs-group']).toEqual({ Ref: logs[0]![0] });
  });

  it("has exactly the API functions' table permissions together, no more and no fewer", () => {
    const atoms = (statements: any[]) =>
      new Set(
        statements
          .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')))
          .flatMap((s) => [s.Action].flat().flatMap((a: string) => [s.Resource].flat().map((r) => JSON.stringify([a, r, s.Condition ?? null])))),
      );
    const statementsOfRole = (roleId: string) =>
      ofType(gw, 'AWS::IAM::Policy')
        .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const taskRole = one(gw, 'AWS::ECS::TaskDefinition').TaskRoleArn['Fn::GetAtt'][0];
    const functions = (Object.keys(FUNCTION_AREAS) as FunctionArea[]).flatMap((area) => {
      const fnId = gw.stack.getLogicalId(gw.stack.functions.byArea[area].node.defaultChild as never);
      return statementsOfRole(gw.resources[fnId].Properties.Role['Fn::GetAtt'][0]);
    });
    const expected = atoms(functions);
    expect(expected.size).toBeGreaterThan(10);
    expect([...atoms(statementsOfRole(taskRole))].sort()).toEqual([...expected].sort());
    // Nothing but DynamoDB on the task role: the image pull and logs are the execution role's.
    expect(statementsOfRole(taskRole).flatMap((s) => [s.Action].flat()).filter((a: string) => !a.startsWith('dynamodb:'))).toEqual([]);
  });

  it('leaves cdk-nag clean, each acknowledgement with its reason', () => {
    const open = gw.report.pluginReports.flatMap((r) => r.violations.map((v) => `${v.ruleName}: ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`));
    expect(open).toEqual([]);
  });
});
