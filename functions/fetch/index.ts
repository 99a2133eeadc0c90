/** Lambda entry point for fetch and offsets. */
import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../config';
import { buildApp } from '../http/app';
import { createDeps } from '../runtime';
import { fetchHandlers } from './handlers';

const app = buildApp(createDeps(loadConfig(process.env)), fetchHandlers);

export const handler = handle(app);
