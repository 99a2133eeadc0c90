/**
 * samsa produce <topic>: one record per value argument or input line,
 * through the SDK's batching, idempotent producer. Reads lazily and keeps a
 * bounded number of records in flight, so any input size streams.
 */
import { accessSync, constants, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DataInput, HeadersInput, RecordMetadata } from '../../client';
import { intOption, pairs, positional, stringOption } from '../args';
import type { Command } from '../command';
import { Progress } from '../output';
import { InputError, UsageError } from '../usage';

const MAX_OUTSTANDING = 20_000;

export const produce: Command = {
  options: {
    'key-separator': { type: 'string' },
    partition: { type: 'string' },
    header: { type: 'string', multiple: true },
    file: { type: 'string' },
    output: { type: 'string' },
    'value-type': { type: 'string' },
    'no-idempotence': { type: 'boolean' },
  },

  async run({ client, output, parsed, signal }) {
    const topic = positional(parsed, 0, 'topic name');
    const values = parsed.positionals.slice(1);
    const separator = stringOption(parsed.values, 'key-separator');
    if (separator === '') throw new UsageError('--key-separator must not be empty');
    const partition = intOption(parsed.values, 'partition');
    const headers: HeadersInput = pairs(parsed.values, 'header').map(([name, value]) => ({ name, value }));
    const file = stringOption(parsed.values, 'file');
    // The global --json asks for machine output, as everywhere: here one JSON line per record.
    const format = stringOption(parsed.values, 'output') ?? (output.json ? 'json' : 'none');
    if (format !== 'none' && format !== 'json') throw new UsageError(`--output must be json; got '${format}'`);
    if (values.length > 0 && file !== undefined) throw new UsageError('give values as arguments or --file, not both');
    const valueType = stringOption(parsed.values, 'value-type') ?? 'string';
    if (valueType !== 'string' && valueType !== 'json') throw new UsageError(`--value-type must be string or json; got '${valueType}'`);
    const jsonValues = valueType === 'json';

    const lines: AsyncIterable<string> | string[] =
      values.length > 0 ? values : createInterface({ input: file === undefined ? process.stdin : openFile(file), crlfDelay: Infinity });
    const producer = client.producer({ idempotent: parsed.values['no-idempotence'] !== true });
    const progress = new Progress('produced');
    let outstanding: Promise<void>[] = [];
    let failures = 0;
    let firstError: unknown;
    let lineNumber = 0;
    try {
      for await (const line of lines) {
        if (signal.aborted) break;
        lineNumber++;
        const record = parseLine(line, lineNumber, separator, jsonValues);
        const sent = producer.send({
          topic,
          ...record,
          ...(partition === undefined ? {} : { partition }),
          ...(headers.length === 0 ? {} : { headers }),
        });
        outstanding.push(
          sent.then(
            (meta: RecordMetadata) => {
              progress.add();
              if (format === 'json') output.out(JSON.stringify(meta));
            },
            (err: unknown) => {
              failures++;
              firstError ??= err;
            },
          ),
        );
        if (outstanding.length >= MAX_OUTSTANDING) {
          await Promise.all(outstanding);
          outstanding = [];
        }
      }
    } finally {
      // Whatever stopped the input (its end, Ctrl-C, a bad line), what was sent is still delivered.
      await producer.close();
      await Promise.all(outstanding);
      progress.stop();
    }
    if (firstError !== undefined) {
      if (failures > 1 && firstError instanceof Error) firstError.message += ` (${failures} of ${lineNumber} records failed)`;
      throw firstError;
    }
  },
};

function parseLine(line: string, n: number, separator: string | undefined, json: boolean): { key?: DataInput; value: DataInput } {
  let key: string | undefined;
  let value = line;
  if (separator !== undefined) {
    const at = line.indexOf(separator);
    if (at < 0) throw new InputError(`record ${n} has no key separator '${separator}'`);
    key = line.slice(0, at);
    value = line.slice(at + separator.length);
  }
  let data: DataInput = value;
  if (json) {
    try {
      data = { json: JSON.parse(value) };
    } catch (err) {
      throw new InputError(`record ${n} is not valid JSON: ${(err as Error).message}`);
    }
  }
  return key === undefined ? { value: data } : { key, value: data };
}

function openFile(path: string) {
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    throw new UsageError(`cannot read --file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return createReadStream(path);
}
