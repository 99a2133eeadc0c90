/** Lambda entry point for produce and producer ids. */
import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../config';
import { buildApp } from '../http/app';
import { createDeps } from '../runtime';
import { Telemetry, telemetryOptions } from '../telemetry/telemetry';
import { produceHandlers } from './handlers';

const app = buildApp(createDeps(loadConfig(process.env), { telemetry: new Telemetry(telemetryOptions(process.env)) }), produceHandlers);

export const handler = handle(app);
