/**
 * The push pricing arithmetic (bench/push-cost.ts) and how the push scenario
 * reads the SDK's keepalive default (bench/scenarios/push-idle.ts). No
 * benchmark runs here.
 */
import { describe, expect, it } from 'vitest';
import { PRICES } from '../../bench/cost';
import { idleNotifiedConsumerMonth, MONTH_MS, NO_USAGE, priceUsage, wsBilledMessages } from '../../bench/push-cost';
import { defaultKeepaliveMs } from '../../bench/scenarios/push-idle';

describe('priceUsage', () => {
  it('bills WebSocket frames in 32 KB units', () => {
    expect(wsBilledMessages(200)).toBe(1);
    expect(wsBilledMessages(32 * 1024)).toBe(1);
    expect(wsBilledMessages(32 * 1024 + 1)).toBe(2);
  });

  it('prices a million of each thing at the list prices', () => {
    const p = priceUsage({ ...NO_USAGE, httpRequests: 1e6, wsMessages: 1e6, lambda: [{ invocations: 1e6, billedMs: 1e6 * 1000, memoryMb: 1024 }], rru: 1e6, wru: 1e6 }, 1e6);
    expect(p.parts.httpApi).toBeCloseTo(PRICES.apiGatewayPerMillion);
    expect(p.parts.wsMessages).toBeCloseTo(1.0);
    expect(p.parts.wsConnectionMinutes).toBeCloseTo(0.25);
    expect(p.parts.lambdaRequests).toBeCloseTo(0.2);
    expect(p.parts.lambdaCompute).toBeCloseTo(1e6 * PRICES.lambdaArmPerGbSecond);
    expect(p.parts.dynamo).toBeCloseTo(0.625 + 0.125);
  });
});

describe('idleNotifiedConsumerMonth', () => {
  const poll = { ...NO_USAGE, httpRequests: 1, lambda: [{ invocations: 1, billedMs: 10, memoryMb: 512 }], rru: 0.5 };
  const inputs = { safetyPollMs: 30_000, keepaliveMs: 300_000, connectionLifetimeMs: 7_200_000, perSafetyPoll: poll, perKeepalive: { ...NO_USAGE, wsMessages: 2 }, perReconnect: NO_USAGE };

  it('counts each event per default interval and a connection open all month', () => {
    const m = idleNotifiedConsumerMonth(inputs);
    expect(m.events.polls).toBe(Math.round(MONTH_MS / 30_000));
    expect(m.events.keepalives).toBe(Math.round(MONTH_MS / 300_000));
    expect(m.parts.wsConnectionMinutes).toBeCloseTo((MONTH_MS / 60_000) * 0.25e-6);
    expect(m.parts.wsMessages).toBeCloseTo((2 * MONTH_MS) / 300_000 / 1e6);
    // A longer safety poll costs less: the month scales with it.
    expect(idleNotifiedConsumerMonth({ ...inputs, safetyPollMs: 60_000 }).perMonth).toBeLessThan(m.perMonth);
  });

  it('finds the safety poll interval that meets a monthly target exactly', () => {
    const m = idleNotifiedConsumerMonth(inputs);
    const ms = m.safetyPollMsFor(0.05);
    expect(ms).toBeDefined();
    expect(idleNotifiedConsumerMonth({ ...inputs, safetyPollMs: ms! }).perMonth).toBeCloseTo(0.05, 4);
    expect(m.safetyPollMsFor(0.001)).toBeUndefined(); // the connection minutes alone cost more
  });
});

describe('defaultKeepaliveMs', () => {
  it('reads the interval the Notifications constructor arms', () => {
    expect(defaultKeepaliveMs({ keepaliveMs: 1234 })).toBe(1234);
    expect(defaultKeepaliveMs()).toBeGreaterThan(0);
  });
});
