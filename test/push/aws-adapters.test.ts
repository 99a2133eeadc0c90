/**
 * The AWS adapters of push and subscription delivery, without AWS: the
 * WebSocket event decoder (functions/push/lambda.ts), the PostToConnection
 * send port (functions/push/aws-send.ts) and the EventBridge Scheduler
 * wake-up port (functions/subscriptions/aws-scheduler.ts), each with a
 * stand-in for its one SDK call. The door itself runs against DynamoDB Local
 * in test/cdk/bundle.test.ts (bundled) and test/iam/replay.test.ts.
 */
import { GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ConflictException, CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { decodeWebSocketEvent } from '../../functions/push/lambda';
import { apiGatewaySendPort } from '../../functions/push/aws-send';
import {
  atExpression,
  createScheduleInput,
  eventBridgeWakeScheduler,
  MIN_LEAD_MS,
  unqualifiedFunctionArn,
  wakeScheduleName,
  wakeTime,
} from '../../functions/subscriptions/aws-scheduler';

describe('WebSocket event decoder', () => {
  it('reads the route, connection, headers, query and text body', () => {
    const event = {
      requestContext: { routeKey: '$connect', connectionId: 'abc=', eventType: 'CONNECT' },
      headers: { Authorization: 'Bearer k', 'X-Many': 'a' },
      multiValueHeaders: { Authorization: ['Bearer k'] },
      queryStringParameters: { token: 't' },
      isBase64Encoded: false,
    };
    expect(decodeWebSocketEvent(event)).toEqual({
      routeKey: '$connect',
      connectionId: 'abc=',
      body: '',
      headers: { Authorization: 'Bearer k', 'X-Many': 'a' },
      query: { token: 't' },
    });
    expect(decodeWebSocketEvent({ requestContext: { routeKey: '$default', connectionId: 'c' }, body: '{"action":"ping"}' })?.body).toBe('{"action":"ping"}');
  });

  it('turns a binary frame into an empty text (refused downstream as not JSON) and rejects what is not a WebSocket event', () => {
    expect(decodeWebSocketEvent({ requestContext: { routeKey: '$default', connectionId: 'c' }, body: 'e30=', isBase64Encoded: true })?.body).toBe('');
    expect(decodeWebSocketEvent({ Records: [] })).toBeUndefined();
    expect(decodeWebSocketEvent({ requestContext: { routeKey: '$default' } })).toBeUndefined();
    expect(decodeWebSocketEvent(null)).toBeUndefined();
  });
});

describe('PostToConnection send port', () => {
  const port = (answer: () => Promise<unknown>) => {
    const sent: PostToConnectionCommand[] = [];
    return { sent, send: apiGatewaySendPort({ send: async (c) => (sent.push(c), answer()) }) };
  };

  it('posts the text as UTF-8 to the connection', async () => {
    const p = port(async () => ({}));
    expect(await p.send('conn-1', '{"type":"notify","topic":"é"}')).toBe('sent');
    expect(p.sent[0]!.input.ConnectionId).toBe('conn-1');
    expect(new TextDecoder().decode(p.sent[0]!.input.Data as Uint8Array)).toBe('{"type":"notify","topic":"é"}');
  });

  it("reports GoneException (410) as 'gone' and rethrows anything else", async () => {
    const gone = port(async () => {
      throw new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } });
    });
    expect(await gone.send('c', 'x')).toBe('gone');
    const limited = port(async () => {
      throw Object.assign(new Error('slow down'), { name: 'LimitExceededException' });
    });
    await expect(limited.send('c', 'x')).rejects.toThrow('slow down');
  });
});

describe('EventBridge Scheduler wake-ups', () => {
  const target = { group: 'Samsa-wakeups', roleArn: 'arn:aws:iam::1:role/s', functionArn: 'arn:aws:lambda:us-east-1:1:function:d' };
  const at = Date.UTC(2026, 11, 6, 3, 4, 5, 300);

  it('schedules a one-shot at(...) in UTC, deleted after it fires, invoking delivery with the subscription', () => {
    const input = createScheduleInput(target, 'orders/webhook', Date.UTC(2026, 11, 6, 3, 4, 6));
    expect(input).toMatchObject({
      GroupName: 'Samsa-wakeups',
      ScheduleExpression: 'at(2026-12-06T03:04:06)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: target.functionArn, RoleArn: target.roleArn, Input: '{"subscription":"orders/webhook"}' },
    });
    expect(atExpression(at)).toBe('at(2026-12-06T03:04:05)');
  });

  it('names a wake-up by subscription and second: the same wake-up gets the same name, another one another, always a valid name', () => {
    const long = 'x'.repeat(249) + '/ü';
    for (const name of ['a', long, 'orders.v2_sub-1']) {
      expect(wakeScheduleName(name, at)).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
      expect(wakeScheduleName(name, at)).toBe(wakeScheduleName(name, at));
    }
    expect(wakeScheduleName('a', at)).not.toBe(wakeScheduleName('b', at));
    expect(wakeScheduleName('a', at)).not.toBe(wakeScheduleName('a', at + 1000));
  });

  it('rounds up to a whole second and never schedules closer than MIN_LEAD_MS from now', () => {
    expect(wakeTime(at, at - 60_000)).toBe(Date.UTC(2026, 11, 6, 3, 4, 6));
    expect(wakeTime(at - 3_600_000, at)).toBe(Math.ceil((at + MIN_LEAD_MS) / 1000) * 1000);
  });

  it('treats ConflictException as already scheduled, and rethrows other failures', async () => {
    const calls: CreateScheduleCommand[] = [];
    let fail: Error | undefined;
    const scheduler = eventBridgeWakeScheduler({ send: async (c) => { calls.push(c); if (fail) throw fail; return {}; } }, () => target, () => at - 60_000);
    await scheduler.wakeAt('s', at);
    expect(calls[0]!.input.Name).toBe(wakeScheduleName('s', Date.UTC(2026, 11, 6, 3, 4, 6)));
    fail = new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
    await expect(scheduler.wakeAt('s', at)).resolves.toBeUndefined();
    fail = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    await expect(scheduler.wakeAt('s', at)).rejects.toThrow('denied');
  });

  it('targets the unqualified function ARN', () => {
    expect(unqualifiedFunctionArn('arn:aws:lambda:us-east-1:1:function:d:live')).toBe('arn:aws:lambda:us-east-1:1:function:d');
    expect(unqualifiedFunctionArn('arn:aws:lambda:us-east-1:1:function:d')).toBe('arn:aws:lambda:us-east-1:1:function:d');
  });
});
