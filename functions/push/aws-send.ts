/**
 * The fan-out's SendPort on AWS: API Gateway's PostToConnection on the
 * WebSocket stage's management endpoint. A connection API Gateway no longer
 * knows answers GoneException (HTTP 410): reported as 'gone', so lib/push
 * removes it from the registry. Other failures are thrown; fan-out counts
 * them and moves on (a notification is a hint).
 */
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { SendPort } from '../../lib/push/fan-out';

/** The one call the port makes, so a test can stand in for the client. */
export interface PostToConnection {
  send(command: PostToConnectionCommand): Promise<unknown>;
}

export function managementClient(endpoint: string): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({ endpoint });
}

export function apiGatewaySendPort(client: PostToConnection): SendPort {
  const encoder = new TextEncoder();
  return async (connectionId, data) => {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: encoder.encode(data) }));
      return 'sent';
    } catch (err) {
      if (errorName(err) === 'GoneException') return 'gone';
      throw err;
    }
  };
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}
