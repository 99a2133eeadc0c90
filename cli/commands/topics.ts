/** samsa topics list|create|describe|alter|delete */
import type { ConfigValues, TopicDescription } from '../../client';
import { intOption, listOption, noMorePositionals, pairs, positional } from '../args';
import type { Command, CommandContext } from '../command';
import { table } from '../output';
import { UsageError } from '../usage';

export const topics: Command = {
  options: {
    partitions: { type: 'string' },
    config: { type: 'string', multiple: true },
    'reset-config': { type: 'string', multiple: true },
  },

  async run(ctx) {
    const sub = positional(ctx.parsed, 0, "topics subcommand (list, create, describe, alter or delete)");
    switch (sub) {
      case 'list':
        return list(ctx);
      case 'create':
        return create(ctx);
      case 'describe':
        return describe(ctx);
      case 'alter':
        return alter(ctx);
      case 'delete':
        return remove(ctx);
      default:
        throw new UsageError(`unknown topics subcommand '${sub}'`);
    }
  },
};

async function list({ client, output, parsed }: CommandContext): Promise<void> {
  noMorePositionals(parsed, 1);
  const all = await client.topics.list();
  if (output.json) return output.out(JSON.stringify(all));
  if (all.length === 0) return output.err('No topics.');
  output.out(table(['TOPIC', 'PARTITIONS', 'TOPIC ID'], all.map((t) => [t.name, t.partitions, t.topicId])));
}

async function create({ client, output, parsed }: CommandContext): Promise<void> {
  const name = positional(parsed, 1, 'topic name');
  noMorePositionals(parsed, 2);
  const partitions = intOption(parsed.values, 'partitions', 1);
  if (listOption(parsed.values, 'reset-config').length > 0) throw new UsageError('--reset-config applies to topics alter');
  const configs = Object.fromEntries(pairs(parsed.values, 'config'));
  const created = await client.topics.create({
    name,
    ...(partitions === undefined ? {} : { partitions }),
    ...(Object.keys(configs).length === 0 ? {} : { configs }),
  });
  if (output.json) return output.out(JSON.stringify(created));
  output.out(`Created topic '${created.name}' with ${created.partitions.length} partition${created.partitions.length === 1 ? '' : 's'}.`);
}

async function describe({ client, output, parsed }: CommandContext): Promise<void> {
  const name = positional(parsed, 1, 'topic name');
  noMorePositionals(parsed, 2);
  printDescription(output, await client.topics.describe(name));
}

async function alter({ client, output, parsed }: CommandContext): Promise<void> {
  const name = positional(parsed, 1, 'topic name');
  noMorePositionals(parsed, 2);
  const partitions = intOption(parsed.values, 'partitions', 1);
  const configs: ConfigValues = Object.fromEntries(pairs(parsed.values, 'config'));
  for (const key of listOption(parsed.values, 'reset-config')) configs[key] = null;
  if (partitions === undefined && Object.keys(configs).length === 0) {
    throw new UsageError('topics alter needs --partitions, --config or --reset-config');
  }
  let described: TopicDescription | undefined;
  if (partitions !== undefined) described = await client.topics.createPartitions(name, partitions);
  if (Object.keys(configs).length > 0) described = await client.topics.alterConfigs(name, configs);
  printDescription(output, described!);
}

async function remove({ client, output, parsed }: CommandContext): Promise<void> {
  const name = positional(parsed, 1, 'topic name');
  noMorePositionals(parsed, 2);
  await client.topics.delete(name);
  if (output.json) return output.out(JSON.stringify({ deleted: name }));
  output.out(`Deleted topic '${name}'.`);
}

function printDescription(output: CommandContext['output'], d: TopicDescription): void {
  if (output.json) return output.out(JSON.stringify(d));
  output.out(
    [
      `Topic:       ${d.name}`,
      `Topic id:    ${d.topicId}`,
      `Partitions:  ${d.partitions.length}`,
      `Created:     ${d.createdAt}`,
      '',
      table(['CONFIG', 'VALUE', 'SOURCE'], d.configs.map((c) => [c.name, c.value, c.source])),
    ].join('\n'),
  );
}
