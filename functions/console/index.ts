/**
 * Lambda entry point of the web console: static files only (GET /console and
 * GET /console/{proxy+}). The built console is copied next to this bundle
 * (cdk/constructs/console.ts), into ./console of the function's package.
 * No configuration, no table access: the console calls the /v1 API from the
 * browser with the user's own API key.
 */
import { join } from 'node:path';
import { handle } from 'hono/aws-lambda';
import { consoleAssets } from './assets';

const app = consoleAssets({ dir: join(process.env.LAMBDA_TASK_ROOT ?? __dirname, 'console') });

export const handler = handle(app);
