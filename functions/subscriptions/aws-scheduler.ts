/**
 * The delivery function's WakeScheduler on AWS (lib/subscriptions/ports.ts):
 * one one-shot EventBridge Scheduler schedule per wake-up, `at(...)` in UTC,
 * deleted by the scheduler after it fires (ActionAfterCompletion DELETE),
 * invoking the delivery function with `{"subscription": name}`.
 *
 * The schedule name is derived from the subscription and the second it fires
 * at, so two runs asking for the same wake-up create one schedule: the second
 * CreateSchedule answers ConflictException, which means "already scheduled".
 * A wake-up asked for the past or the next moments is moved to MIN_LEAD_MS
 * from now: a one-shot schedule fires at a future time, and a retry a few
 * seconds late is within what delivery promises (at least once, not on time).
 */
import { createHash } from 'node:crypto';
import { CreateScheduleCommand, type CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import type { WakeScheduler } from '../../lib/subscriptions/ports';

/** The earliest a wake-up is scheduled from now. */
export const MIN_LEAD_MS = 2_000;

export interface WakeTarget {
  /** The schedule group (created by the stack; the function may create schedules only in it). */
  group: string;
  /** The role the scheduler assumes to invoke the target. */
  roleArn: string;
  /** The delivery function's unqualified ARN. */
  functionArn: string;
}

/** The one call the port makes, so a test can stand in for the client. */
export interface CreateSchedule {
  send(command: CreateScheduleCommand): Promise<unknown>;
}

/** `at(yyyy-mm-ddThh:mm:ss)` of a time in ms (UTC, whole seconds). */
export function atExpression(at: number): string {
  return `at(${new Date(at).toISOString().slice(0, 19)})`;
}

/** ≤ 64 characters of [0-9A-Za-z-_.] whatever the subscription name holds: a hash of it, and the second. */
export function wakeScheduleName(subscription: string, at: number): string {
  const hash = createHash('sha256').update(subscription).digest('hex').slice(0, 32);
  const when = new Date(at).toISOString().slice(0, 19).replace(/[-:]/g, '');
  return `wake-${hash}-${when}`;
}

/** When the wake-up is scheduled: `at` rounded up to a whole second, and at least MIN_LEAD_MS from now. */
export function wakeTime(at: number, now: number): number {
  return Math.ceil(Math.max(at, now + MIN_LEAD_MS) / 1000) * 1000;
}

export function createScheduleInput(target: WakeTarget, subscription: string, when: number): CreateScheduleCommandInput {
  return {
    Name: wakeScheduleName(subscription, when),
    GroupName: target.group,
    ScheduleExpression: atExpression(when),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: target.functionArn,
      RoleArn: target.roleArn,
      Input: JSON.stringify({ subscription }),
      // A wake-up the scheduler cannot deliver within an hour is dropped: the attempt state is stored,
      // and the next produce to the topic runs the subscription again.
      RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
    },
  };
}

/** `target` is read per wake-up: the function learns its own ARN from its first invocation's context. */
export function eventBridgeWakeScheduler(client: CreateSchedule, target: () => WakeTarget, now: () => number): WakeScheduler {
  return {
    async wakeAt(subscription, at) {
      try {
        await client.send(new CreateScheduleCommand(createScheduleInput(target(), subscription, wakeTime(at, now()))));
      } catch (err) {
        if (err instanceof Error && err.name === 'ConflictException') return; // the same wake-up, already scheduled
        throw err;
      }
    },
  };
}

/** `arn:aws:lambda:<region>:<account>:function:<name>` of a possibly qualified function ARN (alias or version). */
export function unqualifiedFunctionArn(arn: string): string {
  return arn.split(':').slice(0, 7).join(':');
}
