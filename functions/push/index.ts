/**
 * Lambda entry point of the WebSocket API's routes ($connect, $default,
 * $disconnect; cdk/constructs/push.ts): API Gateway events → ./lambda.ts →
 * the shared door (./handlers.ts), with the same dependencies and
 * authentication as the HTTP API's functions.
 */
import { coldStart } from '../cold-start';
import { websocketHandler } from './lambda';

export const handler = websocketHandler(coldStart().deps);
