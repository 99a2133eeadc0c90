/** Lambda entry point for consumer groups. */
import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../config';
import { buildApp } from '../http/app';
import { createDeps } from '../runtime';
import { Telemetry, telemetryOptions } from '../telemetry/telemetry';
import { groupHandlers } from './handlers';

const app = buildApp(createDeps(loadConfig(process.env), { telemetry: new Telemetry(telemetryOptions(process.env)) }), groupHandlers);

export const handler = handle(app);
