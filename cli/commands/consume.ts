/**
 * samsa consume <topic>: prints records as text or JSON lines.
 * Partition mode (default) reads partitions directly and keeps no state;
 * group mode joins --group, commits what it printed, and leaves on exit.
 */
import type { ConsumedRecord, Notifications, OffsetSpec, Samsa } from '../../client';
import { intOption, noMorePositionals, positional, stringOption, type Parsed } from '../args';
import type { Command } from '../command';
import { openNotifications } from '../notifications';
import { dataText, dataWire, Progress, type Output } from '../output';
import { UsageError } from '../usage';

export const consume: Command = {
  options: {
    partition: { type: 'string' },
    offset: { type: 'string' },
    'from-beginning': { type: 'boolean' },
    group: { type: 'string' },
    follow: { type: 'boolean' },
    'ws-url': { type: 'string' },
    'max-messages': { type: 'string' },
    output: { type: 'string' },
    'print-key': { type: 'boolean' },
    'key-separator': { type: 'string' },
  },

  async run({ client, output, parsed, signal, endpoint }) {
    const topic = positional(parsed, 0, 'topic name');
    noMorePositionals(parsed, 1);
    const options = consumeOptions(parsed, output);
    const progress = new Progress('consumed');
    const print = printer(output, options);
    let remaining = options.maxMessages;
    const deliver = (record: ConsumedRecord): boolean => {
      if (remaining <= 0) return false;
      print(record);
      progress.add();
      remaining--;
      return remaining > 0;
    };
    // Following: wait on notifications instead of long polls when the WebSocket endpoint answers.
    const notifications = options.follow ? await openNotifications(endpoint, client, output.err) : undefined;
    try {
      if (options.group !== undefined) {
        await consumeGroup(client, topic, options.group, options, deliver, signal, notifications);
      } else {
        await consumePartitions(client, topic, options, deliver, signal, notifications);
      }
    } finally {
      notifications?.close();
      progress.stop();
    }
  },
};

interface ConsumeOptions {
  partition: number | undefined;
  start: OffsetSpec;
  group: string | undefined;
  follow: boolean;
  maxMessages: number;
  json: boolean;
  printKey: boolean;
  keySeparator: string;
}

function consumeOptions(parsed: Parsed, output: Output): ConsumeOptions {
  const v = parsed.values;
  const follow = v.follow === true;
  const format = stringOption(v, 'output') ?? (output.json ? 'json' : 'text');
  if (format !== 'text' && format !== 'json') throw new UsageError(`--output must be text or json; got '${format}'`);
  const partition = intOption(v, 'partition');
  const offset = stringOption(v, 'offset');
  if (offset !== undefined && v['from-beginning'] === true) throw new UsageError('give --offset or --from-beginning, not both');
  let start: OffsetSpec = v['from-beginning'] === true ? 'earliest' : follow ? 'latest' : 'earliest';
  if (offset !== undefined) {
    if (offset === 'earliest' || offset === 'latest') start = offset;
    else if (/^\d+$/.test(offset) && Number.isSafeInteger(Number(offset))) start = Number(offset);
    else throw new UsageError(`--offset must be an offset, earliest or latest; got '${offset}'`);
  }
  if (typeof start === 'number' && partition === undefined) throw new UsageError('--offset N needs --partition');
  const group = stringOption(v, 'group');
  if (group !== undefined && (partition !== undefined || typeof start === 'number')) {
    throw new UsageError('--group takes its partitions and offsets from the group; drop --partition and --offset N');
  }
  return {
    partition,
    start,
    group,
    follow,
    maxMessages: intOption(v, 'max-messages', 1) ?? Infinity,
    json: format === 'json',
    printKey: v['print-key'] === true,
    keySeparator: stringOption(v, 'key-separator') ?? '\t',
  };
}

function printer(output: Output, options: ConsumeOptions): (record: ConsumedRecord) => void {
  if (options.json) {
    return (r) =>
      output.out(
        JSON.stringify({
          topic: r.topic,
          partition: r.partition,
          offset: r.offset,
          timestamp: r.timestamp,
          key: dataWire(r.key),
          value: dataWire(r.value),
          headers: r.headers.map((h) => ({ name: h.name, value: dataWire(h.value) })),
        }),
      );
  }
  return options.printKey
    ? (r) => output.out(`${dataText(r.key)}${options.keySeparator}${dataText(r.value)}`)
    : (r) => output.out(dataText(r.value));
}

/** Each partition with its own stateless consumer; stops at the end unless following. */
async function consumePartitions(
  client: Samsa,
  topic: string,
  options: ConsumeOptions,
  deliver: (record: ConsumedRecord) => boolean,
  signal: AbortSignal,
  notifications: Notifications | undefined,
): Promise<void> {
  const described = await client.topics.describe(topic);
  const partitions = options.partition === undefined ? described.partitions.map((p) => p.partition) : [options.partition];
  const consumers = partitions.map((partition) =>
    client.partitionConsumer({
      topic,
      partition,
      offset: options.start,
      stopAtEnd: !options.follow,
      maxWaitMs: 10_000,
      // A person is watching: a lost notification should cost seconds, not the SDK's default 10 minutes.
      ...(notifications === undefined ? {} : { notifications, safetyPollMs: 30_000 }),
    }),
  );
  const closeAll = () => void Promise.all(consumers.map((c) => c.close()));
  signal.addEventListener('abort', closeAll, { once: true });
  try {
    await Promise.all(
      consumers.map((consumer) =>
        consumer.run({
          eachMessage: ({ message }) => {
            if (!deliver(message)) closeAll();
          },
        }),
      ),
    );
  } finally {
    // Also stops the other partitions when one failed.
    closeAll();
    signal.removeEventListener('abort', closeAll);
  }
}

/**
 * As a member of the group: partitions come from the server, positions from
 * the group's commits (else --from-beginning / latest). Every printed record
 * is committed when the command ends, however it ends, and the member leaves.
 */
async function consumeGroup(
  client: Samsa,
  topic: string,
  groupId: string,
  options: ConsumeOptions,
  deliver: (record: ConsumedRecord) => boolean,
  signal: AbortSignal,
  notifications: Notifications | undefined,
): Promise<void> {
  // Fail on an unknown topic at once rather than wait for an assignment that never comes.
  await client.topics.describe(topic);
  const consumer = client.consumer({
    groupId,
    topics: [topic],
    offsetReset: options.start === 'latest' ? 'latest' : 'earliest',
    stopAtEnd: !options.follow,
    maxWaitMs: options.follow ? 10_000 : 1_000,
    ...(notifications === undefined ? {} : { notifications }),
  });
  const stop = () => void consumer.close();
  signal.addEventListener('abort', stop, { once: true });
  try {
    await consumer.run({
      eachMessage: ({ message }) => {
        if (!deliver(message)) stop();
      },
    });
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
