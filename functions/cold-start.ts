/**
 * What every Lambda entry point does once per cold start: read the
 * environment (here and nowhere else), then build the dependencies with
 * logs and metrics switched on.
 */
import { loadConfig } from './config';
import type { AppDeps } from './http/app';
import { createDeps } from './runtime';
import { Telemetry } from './telemetry/telemetry';

export function coldStart(): { deps: AppDeps; telemetry: Telemetry } {
  const config = loadConfig(process.env);
  const telemetry = new Telemetry({ perTopic: config.perTopicMetrics ?? true });
  return { deps: createDeps(config, { telemetry }), telemetry };
}
