/** samsa groups list|describe|lag|offsets|reset|delete|remove-member */
import type { ResetTarget, TopicPartitions } from '../../client';
import { intOption, listOption, noMorePositionals, positional, stringOption } from '../args';
import type { Command, CommandContext } from '../command';
import { table } from '../output';
import { UsageError } from '../usage';

export const groups: Command = {
  options: {
    topic: { type: 'string' },
    to: { type: 'string' },
    partition: { type: 'string', multiple: true },
  },

  async run(ctx) {
    const sub = positional(ctx.parsed, 0, 'groups subcommand (list, describe, lag, offsets, reset, delete or remove-member)');
    switch (sub) {
      case 'list':
        return list(ctx);
      case 'describe':
        return describe(ctx);
      case 'lag':
        return lag(ctx);
      case 'offsets':
        return offsets(ctx);
      case 'reset':
        return reset(ctx);
      case 'delete':
        return remove(ctx);
      case 'remove-member':
        return removeMember(ctx);
      default:
        throw new UsageError(`unknown groups subcommand '${sub}'`);
    }
  },
};

function group(ctx: CommandContext, extra = 0): string {
  const name = positional(ctx.parsed, 1, 'group name');
  noMorePositionals(ctx.parsed, 2 + extra);
  return name;
}

async function list({ client, output, parsed }: CommandContext): Promise<void> {
  noMorePositionals(parsed, 1);
  const all = await client.groups.list();
  if (output.json) return output.out(JSON.stringify(all));
  if (all.length === 0) return output.err('No groups.');
  output.out(table(['GROUP', 'STATE', 'MEMBERS'], all.map((g) => [g.group, g.state, g.members])));
}

async function describe(ctx: CommandContext): Promise<void> {
  const d = await ctx.client.groups.describe(group(ctx));
  if (ctx.output.json) return ctx.output.out(JSON.stringify(d));
  // Live members only, as groups list counts them; expired ones are in the table, marked, until removed.
  const live = d.members.filter((m) => !m.expired).length;
  const expired = d.members.length - live;
  const lines = [
    `Group:    ${d.group}`,
    `State:    ${d.state}`,
    `Epoch:    ${d.epoch}`,
    `Members:  ${live}${expired === 0 ? '' : ` (not counting ${expired} expired, not removed yet)`}`,
  ];
  if (d.members.length > 0) {
    lines.push(
      '',
      table(
        ['MEMBER', 'EPOCH', 'ASSIGNMENT', 'REVOKING', 'LAST HEARTBEAT', 'EXPIRED'],
        d.members.map((m) => [m.memberId, m.memberEpoch, partitions(m.assignment), partitions(m.revoking), m.lastHeartbeat, m.expired ? 'yes' : 'no']),
      ),
    );
  }
  ctx.output.out(lines.join('\n'));
}

async function lag(ctx: CommandContext): Promise<void> {
  const l = await ctx.client.groups.lag(group(ctx));
  if (ctx.output.json) return ctx.output.out(JSON.stringify(l));
  ctx.output.out(
    [
      table(
        ['TOPIC', 'PARTITION', 'COMMITTED', 'HIGH WATERMARK', 'LAG'],
        l.partitions.map((p) => [p.topic, p.partition, p.committedOffset ?? '-', p.highWatermark, p.lag]),
      ),
      '',
      `Total lag: ${l.totalLag}`,
    ].join('\n'),
  );
}

async function offsets(ctx: CommandContext): Promise<void> {
  const name = group(ctx);
  const all = await ctx.client.groups.offsets(name);
  if (ctx.output.json) return ctx.output.out(JSON.stringify({ group: name, offsets: all }));
  if (all.length === 0) return ctx.output.err('No committed offsets.');
  ctx.output.out(table(['TOPIC', 'PARTITION', 'OFFSET', 'OWNER', 'COMMITTED AT'], all.map((o) => [o.topic, o.partition, o.offset, o.owner ?? '-', o.committedAt])));
}

async function reset(ctx: CommandContext): Promise<void> {
  const name = group(ctx);
  const topic = stringOption(ctx.parsed.values, 'topic');
  if (topic === undefined) throw new UsageError('groups reset needs --topic');
  const to = resetTarget(stringOption(ctx.parsed.values, 'to'));
  const partitions = listOption(ctx.parsed.values, 'partition').map((raw) => intOption({ partition: raw }, 'partition')!);
  const result = await ctx.client.groups.resetOffsets(name, { topic, to, ...(partitions.length === 0 ? {} : { partitions }) });
  if (ctx.output.json) return ctx.output.out(JSON.stringify({ group: name, offsets: result }));
  ctx.output.out(table(['TOPIC', 'PARTITION', 'NEW OFFSET'], result.map((o) => [o.topic, o.partition, o.offset])));
}

async function remove(ctx: CommandContext): Promise<void> {
  const name = group(ctx);
  await ctx.client.groups.delete(name);
  if (ctx.output.json) return ctx.output.out(JSON.stringify({ deleted: name }));
  ctx.output.out(`Deleted group '${name}'.`);
}

async function removeMember(ctx: CommandContext): Promise<void> {
  const name = group(ctx, 1);
  const member = positional(ctx.parsed, 2, 'member id');
  await ctx.client.groups.removeMember(name, member);
  if (ctx.output.json) return ctx.output.out(JSON.stringify({ group: name, removed: member }));
  ctx.output.out(`Removed member '${member}' from group '${name}'.`);
}

/** earliest | latest | an offset | an ISO 8601 time. */
function resetTarget(raw: string | undefined): ResetTarget {
  if (raw === undefined) throw new UsageError('groups reset needs --to earliest|latest|<offset>|<ISO 8601 time>');
  if (raw === 'earliest' || raw === 'latest') return raw;
  if (/^\d+$/.test(raw) && Number.isSafeInteger(Number(raw))) return { offset: Number(raw) };
  const time = Date.parse(raw);
  if (/^\d{4}-\d{2}-\d{2}/.test(raw) && !Number.isNaN(time)) return { timestamp: time };
  throw new UsageError(`--to must be earliest, latest, an offset or an ISO 8601 time; got '${raw}'`);
}

function partitions(tps: TopicPartitions[]): string {
  return tps.length === 0 ? '-' : tps.map((tp) => `${tp.topic}:${tp.partitions.join(',')}`).join(' ');
}
