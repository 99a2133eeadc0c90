/**
 * Lambda entry point of the scheduled lag publisher (an EventBridge rule
 * runs it every minute; cdk/constructs/lag-metrics.ts). Read-only access to
 * the tables. A failed run is not retried: the next one a minute later
 * publishes fresh figures.
 */
import { loadConfig } from '../config';
import { createDeps } from '../runtime';
import { Telemetry, telemetryOptions } from '../telemetry/telemetry';
import { publishLag } from './publish';

const telemetry = new Telemetry(telemetryOptions(process.env));
const { lib } = createDeps(loadConfig(process.env), { telemetry });

export const handler = async (): Promise<{ groups: number; topics: number }> => publishLag(lib, telemetry);
