/** samsa subscriptions list|create|describe|pause|resume|delete (docs/subscriptions.md) */
import type { SubscriptionDescription } from '../../client';
import { intOption, noMorePositionals, positional, stringOption } from '../args';
import type { Command, CommandContext } from '../command';
import { table } from '../output';
import { UsageError } from '../usage';

export const subscriptions: Command = {
  options: {
    topic: { type: 'string' },
    endpoint: { type: 'string' },
    'dead-letter-topic': { type: 'string' },
    'max-records': { type: 'string' },
    'max-bytes': { type: 'string' },
    'linger-ms': { type: 'string' },
    'max-attempts': { type: 'string' },
    'retry-backoff-ms': { type: 'string' },
    secret: { type: 'string' },
  },

  async run(ctx) {
    const sub = positional(ctx.parsed, 0, 'subscriptions subcommand (list, create, describe, pause, resume or delete)');
    switch (sub) {
      case 'list':
        return list(ctx);
      case 'create':
        return create(ctx);
      case 'describe':
        return describe(ctx);
      case 'pause':
      case 'resume':
        return setState(ctx, sub);
      case 'delete':
        return remove(ctx);
      default:
        throw new UsageError(`unknown subscriptions subcommand '${sub}'`);
    }
  },
};

async function list({ client, output, parsed }: CommandContext): Promise<void> {
  noMorePositionals(parsed, 1);
  const all = await client.subscriptions.list();
  if (output.json) return output.out(JSON.stringify(all));
  if (all.length === 0) return output.err('No subscriptions.');
  output.out(table(['SUBSCRIPTION', 'TOPIC', 'STATE', 'ENDPOINT'], all.map((s) => [s.name, s.topic, s.state, s.endpoint])));
}

function required(values: CommandContext['parsed']['values'], name: string): string {
  const v = stringOption(values, name);
  if (v === undefined) throw new UsageError(`subscriptions create needs --${name}`);
  return v;
}

async function create({ client, output, parsed }: CommandContext): Promise<void> {
  const name = positional(parsed, 1, 'subscription name');
  noMorePositionals(parsed, 2);
  const v = parsed.values;
  const optional = (flag: string, field: string, min: number) => {
    const n = intOption(v, flag, min);
    return n === undefined ? {} : { [field]: n };
  };
  const secret = stringOption(v, 'secret');
  const created = await client.subscriptions.create({
    name,
    topic: required(v, 'topic'),
    endpoint: required(v, 'endpoint'),
    deadLetterTopic: required(v, 'dead-letter-topic'),
    ...optional('max-records', 'maxRecords', 1),
    ...optional('max-bytes', 'maxBytes', 1),
    ...optional('linger-ms', 'lingerMs', 0),
    ...optional('max-attempts', 'maxAttempts', 1),
    ...optional('retry-backoff-ms', 'retryBackoffMs', 1),
    ...(secret === undefined ? {} : { secret }),
  });
  if (output.json) return output.out(JSON.stringify(created));
  output.out(`Created subscription '${created.name}' delivering '${created.topic}' to ${created.endpoint}.`);
  output.out(`Signing secret (shown only now): ${created.secret}`);
}

async function describe({ client, output, parsed }: CommandContext): Promise<void> {
  const name = positional(parsed, 1, 'subscription name');
  noMorePositionals(parsed, 2);
  const d: SubscriptionDescription = await client.subscriptions.describe(name);
  if (output.json) return output.out(JSON.stringify(d));
  output.out(`Subscription ${d.name} (${d.state}): ${d.topic} → ${d.endpoint}, dead letters to ${d.deadLetterTopic}`);
  output.out(`Batches of ≤ ${d.maxRecords} records, ${d.maxAttempts} attempts from ${d.retryBackoffMs} ms backoff; group ${d.group}`);
  output.out(
    table(
      ['PARTITION', 'COMMITTED', 'HIGH WATERMARK', 'LAG', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
      d.partitions.map((p) => [p.partition, p.committedOffset ?? '-', p.highWatermark, p.lag, p.attempts, p.nextAttemptAt ?? '-', p.lastError ?? '-']),
    ),
  );
}

async function setState({ client, output, parsed }: CommandContext, action: 'pause' | 'resume'): Promise<void> {
  const name = positional(parsed, 1, 'subscription name');
  noMorePositionals(parsed, 2);
  const d = action === 'pause' ? await client.subscriptions.pause(name) : await client.subscriptions.resume(name);
  if (output.json) return output.out(JSON.stringify(d));
  output.out(`Subscription '${d.name}' is ${d.state}.`);
}

async function remove({ client, output, parsed }: CommandContext): Promise<void> {
  const name = positional(parsed, 1, 'subscription name');
  noMorePositionals(parsed, 2);
  await client.subscriptions.delete(name);
  if (output.json) return output.out(JSON.stringify({ deleted: name }));
  output.out(`Deleted subscription '${name}'.`);
}
