import { describe, expect, it } from 'vitest';
import { chunkKeys, COUNTER_SK, logKeys, MAX_CHUNKS_PER_BATCH, metaKeys } from '../../lib/storage/keys';
import { createTableInput } from '../../lib/storage/ensure-tables';
import { LOG_TABLE, META_TABLE, localTableNames } from '../../lib/storage/schema';

describe('key builders', () => {
  const id = '0b6f3c3e-2f0a-4b7e-9a55-6f1d2c3b4a59';

  it('keys partition data by topic id, never by name', () => {
    expect(logKeys.partitionPk(id, 3)).toBe(`${id}#3`);
    expect(logKeys.counter(id, 3)).toEqual({ pk: `${id}#3`, sk: COUNTER_SK });
    expect(logKeys.batch(id, 3, 17)).toEqual({ pk: `${id}#3`, sk: 17 });
    expect(metaKeys.producerState(id, 3, '42')).toEqual({ pk: `pstate#${id}#3`, sk: '42' });
    expect(metaKeys.commit('g1', id, 3)).toEqual({ pk: 'group#g1', sk: `commit#${id}#3` });
  });

  it('keeps the counter below every batch seq so batch range queries never see it', () => {
    expect(COUNTER_SK).toBeLessThan(0);
  });

  it('gives every chunk of every batch its own key, grouped by seq', () => {
    const a = chunkKeys.chunk(`${id}#0`, 5, MAX_CHUNKS_PER_BATCH - 1);
    const b = chunkKeys.chunk(`${id}#0`, 6, 0);
    expect(a.pk).toBe(`${id}#0#chunks`);
    expect(a.sk).toBeLessThan(b.sk);
  });

  it('puts topics in one registry collection and members beside their group', () => {
    expect(metaKeys.topic('orders')).toEqual({ pk: 'topics', sk: 'orders' });
    expect(metaKeys.member('g1', 'm-1').pk).toBe(metaKeys.group('g1').pk);
  });
});

describe('table definitions', () => {
  it('builds CreateTable input from the schema, with the index projecting what readers need', () => {
    const input = createTableInput(LOG_TABLE, 'x-log');
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'o', AttributeType: 'N' },
      ]),
    );
    expect(input.GlobalSecondaryIndexes?.[0]?.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['n', 'ra', 'ab', 'mt'] });
    expect(createTableInput(META_TABLE, 'x-meta').GlobalSecondaryIndexes).toBeUndefined();
  });

  it('names local tables by prefix', () => {
    expect(localTableNames('samsa')).toEqual({ meta: 'samsa-meta', log: 'samsa-log' });
  });
});
