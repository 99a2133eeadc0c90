/**
 * The optional Kafka gateway in AWS (`-c samsa:kafkaGateway=true`): an arm64
 * Fargate service running kafka/container.ts from an image built from this
 * repository (kafka/Dockerfile; synth only stages the build context, the
 * image is built by `cdk deploy`), behind an internet-facing Network Load
 * Balancer whose TLS listener terminates with the given ACM certificate.
 * Every task advertises the balancer (or the configured domain) as the one
 * broker, so clients always come back through it.
 *
 * The network is its own two-AZ VPC with public subnets only and no NAT
 * gateway (a NAT gateway alone would cost more than the gateway's tasks):
 * tasks get public IPs to reach DynamoDB, ECR and CloudWatch, and accept
 * connections only from the load balancer's security group.
 *
 * The task role gets exactly the table grants of the API functions
 * together (cdk/function-areas.ts): the gateway serves what all of them do,
 * and nothing more. A TCP server cannot scale to zero: at least one task
 * runs, and bills, all the time (docs/deploy.md prices it).
 */
import { Duration, IgnoreMode, Stack, Validations } from 'aws-cdk-lib';
import { Peer, Port, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Cluster, ContainerImage, CpuArchitecture, FargateService, FargateTaskDefinition, LogDrivers, OperatingSystemFamily } from 'aws-cdk-lib/aws-ecs';
import { ListenerCertificate, NetworkLoadBalancer, Protocol, SslPolicy } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { limitEnvName } from '../../functions/config';
import type { Limits } from '../../lib/limits';
import { FUNCTION_AREAS } from '../function-areas';
import type { ConfinedWrites, SamsaTables, TableGrantee, TableKey } from './tables';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The container's port (kafka/container.ts default) and the TLS listener's (Kafka's usual TLS port). */
export const GATEWAY_CONTAINER_PORT = 9092;
export const GATEWAY_TLS_PORT = 9094;

/** The image's build context: the repository less everything the Dockerfile does not copy (Docker ignore rules). */
const CONTEXT_EXCLUDES = ['*', '!package.json', '!package-lock.json', '!tsconfig.json', '!lib', '!functions', '!kafka', 'kafka/**/*.test.ts'];

export interface KafkaGatewaySettings {
  /** ACM certificate for the TLS listener (required). */
  certificateArn: string;
  /** A domain (CNAME or alias to the balancer) to advertise instead of the balancer's DNS name; it must match the certificate. */
  domain: string | undefined;
  /** Upper bound of the CPU autoscaling (the lower is 1). */
  maxTasks: number;
}

export interface KafkaGatewayProps {
  tables: SamsaTables;
  settings: KafkaGatewaySettings;
  logRetention: RetentionDays;
  limits: Partial<Limits>;
  /** Auth mode, super users and quotas (the API functions' environment). */
  environment: Record<string, string>;
  jwt: { issuer: string; audience: string[] } | undefined;
}

export class KafkaGateway extends Construct {
  readonly loadBalancer: NetworkLoadBalancer;
  readonly service: FargateService;
  readonly bootstrap: string;

  constructor(scope: Construct, id: string, props: KafkaGatewayProps) {
    super(scope, id);
    const vpc = new Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC }] });
    const cluster = new Cluster(this, 'Cluster', { vpc });
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });

    const task = new FargateTaskDefinition(this, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.ARM64, operatingSystemFamily: OperatingSystemFamily.LINUX },
    });
    const container = task.addContainer('Gateway', {
      image: ContainerImage.fromAsset(REPO_ROOT, {
        file: 'kafka/Dockerfile',
        platform: Platform.LINUX_ARM64,
        exclude: CONTEXT_EXCLUDES,
        ignoreMode: IgnoreMode.DOCKER,
      }),
      logging: LogDrivers.awsLogs({ logGroup, streamPrefix: 'kafka' }),
      portMappings: [{ containerPort: GATEWAY_CONTAINER_PORT }],
      environment: {
        ...props.environment,
        ...Object.fromEntries(Object.entries(props.limits).map(([key, value]) => [limitEnvName(key as keyof Limits), String(value)])),
        AWS_REGION: Stack.of(this).region,
        SAMSA_KAFKA_PORT: String(GATEWAY_CONTAINER_PORT),
        SAMSA_KAFKA_ADVERTISED_PORT: String(GATEWAY_TLS_PORT),
        ...(props.jwt === undefined ? {} : { SAMSA_JWT_ISSUER: props.jwt.issuer, SAMSA_JWT_AUDIENCE: props.jwt.audience.join(',') }),
      },
    });

    // The union of the API functions' grants: the gateway serves every area's operations.
    const grantee: TableGrantee = {
      addToRolePolicy: (statement: PolicyStatement) => task.taskRole.addToPrincipalPolicy(statement),
      addEnvironment: (name, value) => container.addEnvironment(name, value),
    };
    for (const spec of Object.values(FUNCTION_AREAS)) {
      props.tables.grant(grantee, spec.tables);
      for (const [table, partitions] of Object.entries(spec.queryPartitions ?? {}) as [TableKey, readonly string[]][]) {
        props.tables.grantQueryOfPartitions(grantee, table, partitions);
      }
      for (const [table, list] of Object.entries(spec.confinedWrites ?? {}) as [TableKey, readonly ConfinedWrites[]][]) {
        for (const writes of list) props.tables.grantConfinedWrites(grantee, table, writes);
      }
    }

    const nlbGroup = new SecurityGroup(this, 'NlbSecurityGroup', { vpc, description: 'Samsa Kafka gateway load balancer: Kafka clients over TLS', allowAllOutbound: false });
    nlbGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(GATEWAY_TLS_PORT), 'Kafka clients over TLS');
    this.loadBalancer = new NetworkLoadBalancer(this, 'Nlb', { vpc, internetFacing: true, crossZoneEnabled: true, securityGroups: [nlbGroup] });
    const advertised = props.settings.domain ?? this.loadBalancer.loadBalancerDnsName;
    container.addEnvironment('SAMSA_KAFKA_ADVERTISED_HOST', advertised);
    this.bootstrap = `${advertised}:${GATEWAY_TLS_PORT}`;

    const tasksGroup = new SecurityGroup(this, 'TasksSecurityGroup', { vpc, description: 'Samsa Kafka gateway tasks: the load balancer only', allowAllOutbound: true });
    tasksGroup.addIngressRule(nlbGroup, Port.tcp(GATEWAY_CONTAINER_PORT), 'From the load balancer');
    nlbGroup.addEgressRule(tasksGroup, Port.tcp(GATEWAY_CONTAINER_PORT), 'To the gateway tasks');
    this.service = new FargateService(this, 'Service', {
      cluster,
      taskDefinition: task,
      desiredCount: 1,
      assignPublicIp: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [tasksGroup],
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
    });

    const listener = this.loadBalancer.addListener('Tls', {
      port: GATEWAY_TLS_PORT,
      protocol: Protocol.TLS,
      certificates: [ListenerCertificate.fromArn(props.settings.certificateArn)],
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
    });
    listener.addTargets('Gateway', {
      port: GATEWAY_CONTAINER_PORT,
      protocol: Protocol.TCP,
      targets: [this.service],
      // Long-lived Kafka connections: give them time to move to another task on scale-in.
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { protocol: Protocol.TCP, interval: Duration.seconds(10), healthyThresholdCount: 2, unhealthyThresholdCount: 2 },
    });

    this.service
      .autoScaleTaskCount({ minCapacity: 1, maxCapacity: props.settings.maxTasks })
      .scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60, scaleInCooldown: Duration.minutes(5), scaleOutCooldown: Duration.minutes(1) });

    acknowledge(this);
  }
}

function acknowledge(scope: Construct): void {
  Validations.of(scope).acknowledge(
    {
      id: 'AwsSolutions::AwsSolutions-VPC7',
      reason: 'The VPC holds only the gateway tasks and their load balancer; flow logs would bill for every connection while the gateway logs its own errors to CloudWatch.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-ELB2',
      reason: 'NLB access logs cover TLS listeners only through an S3 bucket of their own; the gateway logs failed requests itself and CloudWatch has the NLB metrics.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only ecr:GetAuthorizationToken (the task execution role pulling the image) uses Resource *: ECR does not support resource-level ' +
        'permissions for it. The image pull actions name the repository; the task role names the tables and indexes.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-ECS4',
      reason: 'Container Insights bills custom metrics per task every month; the service\'s CPU and memory (which the autoscaling uses) come with ECS without it.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-EC23',
      reason:
        'The load balancer is the public Kafka endpoint: it accepts TLS on the Kafka port from anywhere, as the HTTP API does on 443; ' +
        'every connection authenticates with SASL before any other request is served.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason: 'The environment holds table names, limits and auth settings, never a secret: API keys live hashed in DynamoDB.',
    },
  );
}
