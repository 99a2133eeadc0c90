/**
 * The counter's hole record (lib/log/counter.ts `hs`/`hra`): the first reader
 * to stop at an unsettled seq records the bound of its reservation time it
 * knows; the record only moves to later holes, so a slower reader holding an
 * older view can neither move it back nor replace the first observer's bound.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getTopic } from '../../lib/topics/topic-item';
import { partitionRef } from '../../lib/log/partition';
import { holeBound, readCounter, recordHole } from '../../lib/log/counter';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack();
});

describe('recording a hole on the counter', () => {
  it('keeps the first observer’s bound for a seq, moves only to later seqs, and never creates a counter', async () => {
    const name = uniqueName('hole');
    expect((await stack.call('POST', '/v1/topics', { name, partitions: 1 })).status).toBe(201);
    const ref = partitionRef(await getTopic(stack.lib, name), 0);
    const counter = await readCounter(stack.lib, ref);
    expect(holeBound(counter, 3)).toBeUndefined();

    await recordHole(stack.lib, ref, { ...counter, ra: 1_000 }, 3);
    expect(holeBound(await readCounter(stack.lib, ref), 3)).toBe(1_000);
    // A second observer of the same hole, later, with a later counter: the first bound stands.
    await recordHole(stack.lib, ref, { ...counter, ra: 5_000 }, 3);
    expect(holeBound(await readCounter(stack.lib, ref), 3)).toBe(1_000);
    // A reader with an older view stops at an earlier hole: the record does not go back.
    await recordHole(stack.lib, ref, { ...counter, ra: 500 }, 2);
    const after = await readCounter(stack.lib, ref);
    expect(holeBound(after, 2)).toBeUndefined();
    expect(holeBound(after, 3)).toBe(1_000);
    // A later hole replaces it.
    await recordHole(stack.lib, ref, { ...counter, ra: 7_000 }, 4);
    expect(holeBound(await readCounter(stack.lib, ref), 4)).toBe(7_000);

    // The topic is deleted: recording a hole must not resurrect its counter.
    expect((await stack.call('DELETE', `/v1/topics/${name}`)).status).toBeLessThan(300);
    await recordHole(stack.lib, ref, { ...counter, ra: 9_000 }, 5);
    await expect(readCounter(stack.lib, ref)).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });
});
