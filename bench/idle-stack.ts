/**
 * What a deployed stack with the default settings costs per month while it
 * serves nothing: the real CDK app is synthesized (no bundling: the template
 * is the same but for asset hashes) and every resource in its template is
 * priced by what AWS bills for it while idle. Resources billed only per
 * request or per stored byte cost $0.00 idle (the tables are empty);
 * anything billed by the hour or month (alarms, dashboards, customer-managed
 * keys, schedules that invoke a function, provisioned capacity, load
 * balancers, NAT gateways) is priced from the list prices below. A resource
 * type this file does not know is priced NaN, so the row fails until it is
 * classified — a new idle charge cannot slip in unnoticed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT } from 'aws-cdk-lib/cx-api';
import { createSamsaApp } from '../cdk/samsa-app';
import { PRICES } from './cost';
import { row, type Row } from './report';
import { round } from './stats';

/** List prices used here (us-east-1), looked up on this date. */
export const IDLE_PRICE_DATE = '2026-12-05';
const HOURS_PER_MONTH = 730;
const IDLE_PRICES = {
  alarmMetricMonth: 0.1,
  dashboardMonth: 3.0,
  kmsKeyMonth: 1.0,
  secretMonth: 0.4,
  natGatewayHour: 0.045,
  loadBalancerHour: 0.0225,
  interfaceEndpointHour: 0.01,
  provisionedRcuHour: 0.00013,
  provisionedWcuHour: 0.00065,
};
export const IDLE_SOURCES: Record<string, string> = {
  'DynamoDB storage and PITR': 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  'CloudWatch alarms, dashboards, logs, metrics': 'https://aws.amazon.com/cloudwatch/pricing/',
  Lambda: 'https://aws.amazon.com/lambda/pricing/',
  'API Gateway': 'https://aws.amazon.com/api-gateway/pricing/',
  KMS: 'https://aws.amazon.com/kms/pricing/',
  'Secrets Manager': 'https://aws.amazon.com/secrets-manager/pricing/',
  'NAT gateway, VPC endpoints': 'https://aws.amazon.com/vpc/pricing/',
  'Elastic Load Balancing': 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  'EventBridge Scheduler': 'https://aws.amazon.com/eventbridge/pricing/',
};

/** Billed only per request, per byte moved or per byte stored: nothing while idle with empty tables. */
const PAY_PER_USE: Record<string, string> = {
  'AWS::IAM::Role': 'no charge',
  'AWS::IAM::Policy': 'no charge',
  'AWS::Lambda::Permission': 'no charge',
  'AWS::Lambda::Function': 'per request and GB-second; no provisioned concurrency in the template',
  'AWS::ApiGatewayV2::Api': 'HTTP API: per request; WebSocket API: per message and connection minute',
  'AWS::ApiGatewayV2::Integration': 'part of its API',
  'AWS::ApiGatewayV2::Route': 'part of its API',
  'AWS::ApiGatewayV2::RouteResponse': 'part of the WebSocket API',
  'AWS::ApiGatewayV2::Stage': 'part of its API',
  'AWS::Logs::LogGroup': 'per GB ingested and per GB-month stored until retention deletes it: nothing once a retention period passed without traffic',
  'AWS::SNS::Topic': 'per notification',
  'AWS::SNS::Subscription': 'per notification',
  'AWS::S3::Bucket': 'per GB-month stored and per request',
  'AWS::Lambda::EventSourceMapping': 'per invocation of its function; reads of a DynamoDB stream by Lambda triggers are free',
  'AWS::Scheduler::ScheduleGroup': 'no charge for the group; EventBridge Scheduler bills each schedule invocation',
};

export interface IdleLine {
  item: string;
  resourceType: string;
  count: number;
  /** $ per month while idle. */
  monthly: number;
  basis: string;
}

export interface IdleStackCost {
  settings: string;
  priceDate: string;
  region: string;
  resources: number;
  lines: IdleLine[];
  total: number;
  synthSeconds: number;
  sources: Record<string, string>;
}

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** Prices one resource type's resources while idle. */
function priceType(type: string, list: Resource[]): IdleLine {
  const count = list.length;
  const line = (monthly: number, basis: string, item = type.replace(/^AWS::/, '')): IdleLine => ({ item, resourceType: type, count, monthly: round(monthly, 4), basis });
  switch (type) {
    case 'AWS::DynamoDB::Table': {
      let monthly = 0;
      const notes: string[] = [];
      for (const t of list) {
        const p = t.Properties ?? {};
        if (p.BillingMode !== 'PAY_PER_REQUEST') {
          const tp = (p.ProvisionedThroughput ?? {}) as { ReadCapacityUnits?: number; WriteCapacityUnits?: number };
          monthly += HOURS_PER_MONTH * ((tp.ReadCapacityUnits ?? 0) * IDLE_PRICES.provisionedRcuHour + (tp.WriteCapacityUnits ?? 0) * IDLE_PRICES.provisionedWcuHour);
          notes.push('provisioned capacity billed by the hour');
        }
        const pitr = (p.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined)?.PointInTimeRecoveryEnabled === true;
        notes.push(`${p.BillingMode === 'PAY_PER_REQUEST' ? 'on-demand' : 'provisioned'}${pitr ? ', PITR on' : ''}`);
      }
      // Empty tables: 0 GB stored × $0.25 (+ $0.20 with PITR) per GB-month.
      const storedGb = 0;
      monthly += storedGb * (PRICES.storagePerGibMonth + PRICES.pitrPerGibMonth);
      return line(monthly, `${[...new Set(notes)].join('; ')}; empty: 0 GB × ($${PRICES.storagePerGibMonth.toFixed(2)} storage + $${PRICES.pitrPerGibMonth.toFixed(2)} PITR) per GB-month`, 'DynamoDB tables');
    }
    case 'AWS::CloudWatch::Alarm': {
      const metrics = list.reduce((n, a) => n + Math.max(1, ((a.Properties?.Metrics as unknown[] | undefined) ?? []).filter((m) => (m as { MetricStat?: unknown }).MetricStat !== undefined).length), 0);
      return line(metrics * IDLE_PRICES.alarmMetricMonth, `${metrics} alarm metrics × $${IDLE_PRICES.alarmMetricMonth}`, 'CloudWatch alarms');
    }
    case 'AWS::CloudWatch::Dashboard':
      return line(count * IDLE_PRICES.dashboardMonth, `${count} × $${IDLE_PRICES.dashboardMonth} per dashboard-month`, 'CloudWatch dashboards');
    case 'AWS::KMS::Key':
      return line(count * IDLE_PRICES.kmsKeyMonth, `${count} customer-managed key(s) × $${IDLE_PRICES.kmsKeyMonth}`, 'KMS keys');
    case 'AWS::SecretsManager::Secret':
      return line(count * IDLE_PRICES.secretMonth, `${count} × $${IDLE_PRICES.secretMonth}`, 'Secrets');
    case 'AWS::EC2::NatGateway':
      return line(count * IDLE_PRICES.natGatewayHour * HOURS_PER_MONTH, `${count} × $${IDLE_PRICES.natGatewayHour}/hour`, 'NAT gateways');
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
      return line(count * IDLE_PRICES.loadBalancerHour * HOURS_PER_MONTH, `${count} × $${IDLE_PRICES.loadBalancerHour}/hour (+ capacity units with traffic)`, 'Load balancers');
    case 'AWS::EC2::VPCEndpoint':
      return line(count * IDLE_PRICES.interfaceEndpointHour * HOURS_PER_MONTH, `${count} × $${IDLE_PRICES.interfaceEndpointHour}/hour per AZ (interface endpoints)`, 'VPC endpoints');
    case 'AWS::Events::Rule':
    case 'AWS::Scheduler::Schedule': {
      const scheduled = list.filter((r) => r.Properties?.ScheduleExpression !== undefined).length;
      // A schedule runs a function while idle; its price depends on the function (docs/deploy.md prices the lag publisher).
      return scheduled === 0 ? line(0, 'event rules without a schedule: per event') : line(Number.NaN, `${scheduled} schedule(s) invoke a function while idle: not priced here`, 'Schedules');
    }
    default: {
      const basis = PAY_PER_USE[type];
      return basis === undefined ? line(Number.NaN, 'not classified: price it in bench/idle-stack.ts') : line(0, basis);
    }
  }
}

/** Synthesizes the default stack and prices it while idle (≈ 30 s: cdk-nag runs as in `cdk synth`). */
export function idleStackCost(): IdleStackCost {
  const t0 = performance.now();
  const outdir = mkdtempSync(join(tmpdir(), 'samsa-bench-synth-'));
  let resources: Record<string, Resource>;
  try {
    const samsa = createSamsaApp({
      app: { outdir, context: { [FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false, 'aws:cdk:bundling-stacks': [] } },
      stack: { settings: {} },
    });
    samsa.app.synth();
    resources = (Template.fromStack(samsa.stack).toJSON() as { Resources: Record<string, Resource> }).Resources;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  const byType = new Map<string, Resource[]>();
  for (const r of Object.values(resources)) byType.set(r.Type, [...(byType.get(r.Type) ?? []), r]);
  const lines = [...byType.entries()].map(([type, list]) => priceType(type, list)).sort((a, b) => b.monthly - a.monthly || a.item.localeCompare(b.item));
  return {
    settings: 'npx cdk deploy with no -c samsa:* setting',
    priceDate: IDLE_PRICE_DATE,
    region: 'us-east-1',
    resources: Object.keys(resources).length,
    lines,
    total: round(lines.reduce((s, l) => s + l.monthly, 0), 4),
    synthSeconds: round((performance.now() - t0) / 1000, 1),
    sources: IDLE_SOURCES,
  };
}

export function idleStackRows(c: IdleStackCost): Row[] {
  return [
    row('idle-stack', 'deployed stack, default settings, no traffic: monthly bill', c.total, '$', ['<=', 0.5], `${c.resources} resources in the template, priced ${c.priceDate}`),
    ...c.lines.map((l) => row('idle-stack', `idle: ${l.item} (${l.count} × ${l.resourceType})`, l.monthly, '$', undefined, l.basis)),
  ];
}
