/**
 * The notification nemesis on a fake SendPort and fan-out: calm, it passes
 * every notification through once, in order; dropping reports a send it
 * never made; duplicating sends twice; reordering delivers a held
 * notification after the next one to the same connection; a killed fan-out
 * invocation loses its later sends and then fails, so the stream retries it.
 * Pure: no stack.
 */
import { describe, expect, it } from 'vitest';
import type { SendPort } from '../../lib/push/fan-out';
import { NO_NOTIFICATION_FAULTS, NotificationChaos } from '../../checker/faults/notifications';
import { seeded } from '../../checker/faults/random';

function port(): { send: SendPort; got: string[] } {
  const got: string[] = [];
  return { got, send: async (id, data) => (got.push(`${id}:${data}`), 'sent') };
}

describe('notification nemesis', () => {
  it('passes notifications through unchanged when calm', async () => {
    const chaos = new NotificationChaos(seeded(1));
    const { send, got } = port();
    const wrapped = chaos.wrap(send);
    for (const d of ['1', '2', '3']) expect(await wrapped('c', d)).toBe('sent');
    expect(got).toEqual(['c:1', 'c:2', 'c:3']);
  });

  it('drops (reporting sent), duplicates and reorders', async () => {
    const chaos = new NotificationChaos(seeded(1));
    const { send, got } = port();
    const wrapped = chaos.wrap(send);
    chaos.rates = { ...NO_NOTIFICATION_FAULTS, drop: 1 };
    expect(await wrapped('c', '1')).toBe('sent');
    expect(got).toEqual([]);
    chaos.rates = { ...NO_NOTIFICATION_FAULTS, duplicate: 1 };
    await wrapped('c', '2');
    expect(got).toEqual(['c:2', 'c:2']);
    got.length = 0;
    chaos.rates = { ...NO_NOTIFICATION_FAULTS, reorder: 1 };
    await wrapped('c', '3'); // held back
    chaos.rates = { ...NO_NOTIFICATION_FAULTS };
    await wrapped('c', '4');
    expect(got).toEqual(['c:4', 'c:3']);
    expect(chaos.fired).toMatchObject({ dropped: 1, duplicated: 1, reordered: 1 });
    chaos.stop();
  });

  it('kills a fan-out invocation part-way: later sends are lost and the invocation fails', async () => {
    const chaos = new NotificationChaos(seeded(3));
    const { send, got } = port();
    chaos.rates = { ...NO_NOTIFICATION_FAULTS, kill: 1 };
    const fanOut = (s: SendPort) => async () => {
      for (const d of ['a', 'b', 'c', 'd']) await s('c', d);
    };
    const handler = chaos.handler(fanOut, send);
    await expect(handler({ Records: [] })).rejects.toThrow(/killed/);
    expect(got.length).toBeLessThan(4);
    expect(got).toEqual(['c:a', 'c:b', 'c:c'].slice(0, got.length));
    chaos.rates = { ...NO_NOTIFICATION_FAULTS };
    got.length = 0;
    await handler({ Records: [] }); // the stream's retry
    expect(got).toEqual(['c:a', 'c:b', 'c:c', 'c:d']);
  });
});
