/**
 * The schema interpreter and the record batch codec without a server: every
 * copied schema parses, every advertised version exists in its schema, a
 * message round-trips at every version (flexible ones with tagged fields),
 * and record batches keep offsets, timestamps, keys, values and headers
 * under a valid CRC32C.
 */
import { connect } from 'node:net';
import { crc32c } from '@node-rs/crc32';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { apiVersionsTable, HANDLERS } from '../../kafka/handlers/registry';
import { decodeMessage, encodeMessage } from '../../kafka/protocol/codec';
import { inRange, schema, schemas } from '../../kafka/protocol/schema';
import { Reader, Writer } from '../../kafka/protocol/wire';
import { CorruptBatchError, decodeBatches, encodeBatch } from '../../kafka/records/batch';
import { startKafkaGateway } from '../../kafka/server';
import type { LibContext } from '../../lib/context';
import { call, openSocket } from './gateway';

describe('schemas', () => {
  it('parses every copied schema, and each served API has both sides', () => {
    expect(schemas().size).toBeGreaterThanOrEqual(38);
    for (const h of HANDLERS.values()) {
      for (const side of ['Request', 'Response']) {
        const spec = schema(`${h.name}${side}`);
        expect(spec.apiKey).toBe(h.key);
        expect(inRange(spec.valid, h.min) && inRange(spec.valid, h.max)).toBe(true);
      }
    }
  });

  it('round-trips a Metadata response at every version, topic ids and tagged fields included', () => {
    const spec = schema('MetadataResponse');
    for (let v = spec.valid.min; v <= spec.valid.max; v++) {
      const body = {
        throttleTimeMs: 7,
        brokers: [{ nodeId: 0, host: 'h', port: 9092, rack: null }],
        clusterId: 'samsa',
        controllerId: 0,
        topics: [{ errorCode: 0, name: 't', topicId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 0, leaderEpoch: 3, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] }], topicAuthorizedOperations: -2147483648 }],
        clusterAuthorizedOperations: -2147483648,
      };
      const back = decodeMessage(spec, v, new Reader(encodeMessage(spec, v, body).toBuffer()));
      expect(back.topics[0].name).toBe('t');
      expect(back.brokers[0].port).toBe(9092);
      expect(back.topics[0].partitions[0].leaderEpoch).toBe(v >= 7 ? 3 : -1);
      expect(back.topics[0].topicId).toBe(v >= 10 ? body.topics[0]!.topicId : '00000000-0000-0000-0000-000000000000');
    }
  });

  it('reads tagged fields it knows and skips those it does not', () => {
    const spec = schema('FetchResponse');
    const partition = { partitionIndex: 1, errorCode: 0, highWatermark: 5n, currentLeader: { leaderId: 0, leaderEpoch: 9 }, records: Buffer.from('abc') };
    const bytes = encodeMessage(spec, 12, { responses: [{ topic: 't', partitions: [partition] }] }).toBuffer();
    const back = decodeMessage(spec, 12, new Reader(bytes));
    expect(back.responses[0].partitions[0]).toMatchObject({ highWatermark: 5n, currentLeader: { leaderId: 0, leaderEpoch: 9 } });
    expect(back.responses[0].partitions[0].records.toString()).toBe('abc');
  });

  it('advertises only served versions', () => {
    expect(apiVersionsTable().map((a) => a.apiKey)).toEqual([...HANDLERS.keys()].sort((a, b) => a - b));
  });
});

describe('record batches', () => {
  const records = [
    { offset: 10, timestamp: 1_700_000_000_000, key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: Buffer.from('x') }, { key: 'n', value: null }] },
    { offset: 12, timestamp: 1_699_999_999_000, key: null, value: null, headers: [] },
  ];

  it('round-trips offsets, timestamps, keys, values and headers', () => {
    const [batch] = decodeBatches(encodeBatch(records, 10, 13), 1 << 20);
    expect(batch!.baseOffset).toBe(10n);
    expect(batch!.records.map((r) => [10 + r.offsetDelta, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
      [10, 1_700_000_000_000, 'k', 'v'],
      [12, 1_699_999_999_000, null, null],
    ]);
    expect(batch!.records[0]!.headers).toEqual([{ key: 'h', value: Buffer.from('x') }, { key: 'n', value: null }]);
  });

  it('refuses a batch whose CRC32C does not match', () => {
    const bytes = encodeBatch(records, 10, 12);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    expect(() => decodeBatches(bytes, 1 << 20)).toThrow(CorruptBatchError);
  });

  it('decompresses a gzip batch', () => {
    const plain = encodeBatch(records, 0, 12);
    const body = gzipSync(plain.subarray(61));
    const out = Buffer.concat([plain.subarray(0, 61), body]);
    out.writeInt32BE(out.length - 12, 8);
    out.writeInt16BE(1, 21);
    out.writeUInt32BE(crc32c(out.subarray(21)) >>> 0, 17);
    expect(decodeBatches(out, 1 << 20)[0]!.records).toHaveLength(2);
    expect(() => decodeBatches(out, 10)).toThrow();
  });
});

describe('the server', () => {
  it('answers an ApiVersions request of an unknown version with v0 UNSUPPORTED_VERSION and its table (KIP-511)', async () => {
    const gateway = await startKafkaGateway({} as LibContext, { port: 0 });
    try {
      const w = new Writer().int32(0).int16(18).int16(99).int32(42).int16(-1);
      const frame = w.toBuffer();
      frame.writeInt32BE(frame.length - 4, 0);
      const answer = await new Promise<Buffer>((resolve, reject) => {
        const socket = connect(gateway.port, '127.0.0.1', () => socket.write(frame));
        let got = Buffer.alloc(0);
        socket.on('data', (d) => {
          got = Buffer.concat([got, d]);
          if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
            socket.destroy();
            resolve(got);
          }
        });
        socket.on('error', reject);
      });
      const r = new Reader(answer.subarray(4));
      expect(r.int32()).toBe(42);
      const body = decodeMessage(schema('ApiVersionsResponse'), 0, r);
      expect(body.errorCode).toBe(35);
      expect(body.apiKeys).toEqual(apiVersionsTable());
    } finally {
      await gateway.close();
    }
  });

  it('answers a served API at a version it does not serve with UNSUPPORTED_VERSION, and closes on an unknown API', async () => {
    const gateway = await startKafkaGateway({} as LibContext, { port: 0 });
    try {
      const socket = await openSocket(gateway.port);
      const answer = await call(socket, 'ListGroups', 16, 5, { statesFilter: [], typesFilter: [] }, 7);
      expect(answer.errorCode).toBe(35);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const w = new Writer().int32(0).int16(999).int16(0).int32(8).int16(-1);
      const frame = w.toBuffer();
      frame.writeInt32BE(frame.length - 4, 0);
      socket.write(frame);
      await closed;
    } finally {
      await gateway.close();
    }
  });
});
