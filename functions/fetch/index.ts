/** Lambda entry point for fetch and offsets. */
import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../config';
import { buildApp } from '../http/app';
import { createDeps } from '../runtime';
import { Telemetry, telemetryOptions } from '../telemetry/telemetry';
import { fetchHandlers } from './handlers';

const app = buildApp(createDeps(loadConfig(process.env), { telemetry: new Telemetry(telemetryOptions(process.env)) }), fetchHandlers);

export const handler = handle(app);
