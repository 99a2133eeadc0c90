/** Lambda entry point for the admin API (topics, health, unmatched routes). */
import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../config';
import { buildApp } from '../http/app';
import { createDeps } from '../runtime';
import { Telemetry, telemetryOptions } from '../telemetry/telemetry';
import { adminHandlers } from './handlers';

const app = buildApp(createDeps(loadConfig(process.env), { telemetry: new Telemetry(telemetryOptions(process.env)) }), adminHandlers);

export const handler = handle(app);
