/** Lambda entry point for fetch and offsets. */
import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../config';
import { buildApp } from '../http/app';
import { createDeps } from '../runtime';
import { Telemetry } from '../telemetry/telemetry';
import { fetchHandlers } from './handlers';

const app = buildApp(createDeps(loadConfig(process.env), { telemetry: new Telemetry() }), fetchHandlers);

export const handler = handle(app);
