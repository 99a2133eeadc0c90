/**
 * Lambda entry point of the scheduled lag publisher (an EventBridge rule
 * runs it every minute; cdk/constructs/lag-metrics.ts). Read-only access to
 * the tables. A failed run is not retried: the next one a minute later
 * publishes fresh figures.
 */
import { coldStart } from '../cold-start';
import { publishLag } from './publish';

const { deps, telemetry } = coldStart();

export const handler = async (): Promise<{ groups: number; topics: number }> => publishLag(deps.lib, telemetry);
