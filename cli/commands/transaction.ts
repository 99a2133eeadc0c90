/**
 * samsa transaction: ONE atomic `POST /v1/transactions` through the SDK's
 * producer.transaction() — records for any topics and partitions, and
 * optionally a group member's offsets, visible and committed together or not
 * at all (docs/transactions.md).
 *
 * Records come from the arguments (TOPIC[:PARTITION]=VALUE, the value split
 * into key and value as `produce --key-separator` does) or from a JSON file
 * in the HTTP API's shape ({"records": [...], "groupCommit": {...}}), never
 * both. The offsets come from --group/--member-id/--member-epoch/--commit or
 * from the file's groupCommit. Topic names cannot hold ':' or '=', so the
 * first '=' ends the target and a ':' in it starts the partition.
 */
import { readFileSync } from 'node:fs';
import type { DataInput, GroupMetadata, HeadersInput, ProducerRecord, TransactionOffset } from '../../client';
import { intOption, listOption, pairs, stringOption } from '../args';
import type { Command } from '../command';
import { table } from '../output';
import { InputError, UsageError } from '../usage';

export const transaction: Command = {
  options: {
    file: { type: 'string' },
    'key-separator': { type: 'string' },
    'value-type': { type: 'string' },
    header: { type: 'string', multiple: true },
    group: { type: 'string' },
    'member-id': { type: 'string' },
    'member-epoch': { type: 'string' },
    commit: { type: 'string', multiple: true },
  },

  async run({ client, output, parsed }) {
    const file = stringOption(parsed.values, 'file');
    const args = parsed.positionals;
    if (args.length > 0 && file !== undefined) throw new UsageError('give records as arguments or --file, not both');
    const fromFile = file === undefined ? undefined : readTransactionFile(file);
    const records = fromFile?.records ?? recordsFromArgs(args, parsed.values);
    const group = groupFromOptions(parsed.values);
    if (group !== undefined && fromFile?.groupCommit !== undefined) throw new UsageError('give the group commit as options or in --file, not both');
    const groupCommit = group ?? fromFile?.groupCommit;
    if (records.length === 0 && groupCommit === undefined) throw new UsageError('nothing to commit: give records (TOPIC[:PARTITION]=VALUE or --file) or --commit offsets');

    const producer = client.producer();
    try {
      const tx = producer.transaction();
      for (const record of records) tx.send(record);
      if (groupCommit !== undefined) tx.sendOffsets(groupCommit.member, groupCommit.offsets);
      const result = await tx.commit();
      if (output.json) {
        output.out(JSON.stringify(result));
        return;
      }
      const partitions = new Set(result.records.map((r) => `${r.topic}\u0000${r.partition}`)).size;
      output.out(`Committed a transaction of ${count(result.records.length, 'record')} in ${count(partitions, 'partition')}${groupCommit === undefined ? '' : ` and ${count(result.committed.length, 'offset')} of group '${groupCommit.member.groupId}'`}.`);
      if (result.records.length > 0) output.out(table(['TOPIC', 'PARTITION', 'OFFSET'], result.records.map((r) => [r.topic, r.partition, r.offset])));
      if (result.committed.length > 0) {
        output.out(table(['COMMITTED TOPIC', 'PARTITION', 'OFFSET'], result.committed.map((c) => [c.topic, c.partition, c.offset])));
      }
    } finally {
      await producer.close();
    }
  },
};

interface GroupCommit {
  member: GroupMetadata;
  offsets: TransactionOffset[];
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** TOPIC[:PARTITION]=VALUE arguments, each value split and typed as produce does. */
function recordsFromArgs(args: string[], values: Record<string, string | boolean | string[] | undefined>): ProducerRecord[] {
  const separator = stringOption(values, 'key-separator');
  if (separator === '') throw new UsageError('--key-separator must not be empty');
  const valueType = stringOption(values, 'value-type') ?? 'string';
  if (valueType !== 'string' && valueType !== 'json') throw new UsageError(`--value-type must be string or json; got '${valueType}'`);
  const headers: HeadersInput = pairs(values, 'header').map(([name, value]) => ({ name, value }));
  return args.map((arg, i) => {
    const n = i + 1;
    const eq = arg.indexOf('=');
    if (eq < 1) throw new InputError(`record ${n} must be TOPIC[:PARTITION]=VALUE; got '${arg}'`);
    const target = arg.slice(0, eq);
    let text = arg.slice(eq + 1);
    const colon = target.indexOf(':');
    const topic = colon < 0 ? target : target.slice(0, colon);
    const partitionText = colon < 0 ? undefined : target.slice(colon + 1);
    if (topic === '') throw new InputError(`record ${n} has no topic: '${arg}'`);
    if (partitionText !== undefined && !/^\d+$/.test(partitionText)) throw new InputError(`record ${n}: the partition must be an integer; got '${partitionText}'`);
    let key: string | undefined;
    if (separator !== undefined) {
      const at = text.indexOf(separator);
      if (at < 0) throw new InputError(`record ${n} has no key separator '${separator}'`);
      key = text.slice(0, at);
      text = text.slice(at + separator.length);
    }
    let value: DataInput = text;
    if (valueType === 'json') {
      try {
        value = { json: JSON.parse(text) };
      } catch (err) {
        throw new InputError(`record ${n} is not valid JSON: ${(err as Error).message}`);
      }
    }
    return {
      topic,
      value,
      ...(key === undefined ? {} : { key }),
      ...(partitionText === undefined ? {} : { partition: Number(partitionText) }),
      ...(headers.length === 0 ? {} : { headers }),
    };
  });
}

/** --group G --member-id M --member-epoch E --commit TOPIC:PARTITION=OFFSET... — all of them or none. */
function groupFromOptions(values: Record<string, string | boolean | string[] | undefined>): GroupCommit | undefined {
  const groupId = stringOption(values, 'group');
  const memberId = stringOption(values, 'member-id');
  const memberEpoch = intOption(values, 'member-epoch');
  const commits = listOption(values, 'commit');
  const given = [groupId, memberId, memberEpoch, commits.length > 0 ? commits : undefined].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (groupId === undefined || memberId === undefined || memberEpoch === undefined || commits.length === 0) {
    throw new UsageError('a group commit needs --group, --member-id, --member-epoch and at least one --commit TOPIC:PARTITION=OFFSET');
  }
  const offsets = commits.map((c) => {
    const m = /^([^:=]+):(\d+)=(\d+)$/.exec(c);
    if (m === null) throw new UsageError(`--commit takes TOPIC:PARTITION=OFFSET (the next offset to consume); got '${c}'`);
    return { topic: m[1]!, partition: Number(m[2]), offset: Number(m[3]) };
  });
  return { member: { groupId, memberId, memberEpoch }, offsets };
}

/** The HTTP API's body: records (values as strings, {"json": …} or {"type", "data"}) and an optional groupCommit. */
function readTransactionFile(path: string): { records: ProducerRecord[]; groupCommit?: GroupCommit } {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError(`--file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InputError(`--file ${path} must hold a JSON object with "records" and/or "groupCommit"`);
  const { records, groupCommit, ...rest } = doc as { records?: unknown; groupCommit?: unknown };
  const extra = Object.keys(rest);
  // The CLI numbers its transactions itself; a file's producerId/sequence would be a different producer's.
  if (extra.length > 0) throw new InputError(`--file ${path}: unknown field '${extra[0]}' (records and groupCommit only)`);
  if (records !== undefined && !Array.isArray(records)) throw new InputError(`--file ${path}: "records" must be an array`);
  let group: GroupCommit | undefined;
  if (groupCommit !== undefined) {
    if (typeof groupCommit !== 'object' || groupCommit === null) throw new InputError(`--file ${path}: "groupCommit" must be an object`);
    // Field types are checked by the SDK's sendOffsets (INVALID_ARGUMENT, exit 2).
    const { groupId, memberId, memberEpoch, offsets } = groupCommit as GroupMetadata & { offsets: TransactionOffset[] };
    group = { member: { groupId, memberId, memberEpoch }, offsets };
  }
  return { records: (records ?? []) as ProducerRecord[], ...(group === undefined ? {} : { groupCommit: group }) };
}
