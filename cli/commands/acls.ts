/** samsa acls add|list|remove */
import type { Acl, AclFilter, AclOperation, AclResourceType } from '../../client';
// The wire contract's words, so the CLI offers exactly what the server accepts.
import { ACL_OPERATIONS, CLUSTER_RESOURCE_NAME } from '../../lib/protocol/acl';
import { noMorePositionals, positional, stringOption } from '../args';
import type { Command, CommandContext } from '../command';
import { table } from '../output';
import { UsageError } from '../usage';

export const acls: Command = {
  options: {
    principal: { type: 'string' },
    topic: { type: 'string' },
    group: { type: 'string' },
    cluster: { type: 'boolean' },
    prefixed: { type: 'boolean' },
    operation: { type: 'string' },
    deny: { type: 'boolean' },
  },

  async run(ctx) {
    const sub = positional(ctx.parsed, 0, 'acls subcommand (add, list or remove)');
    switch (sub) {
      case 'add':
        return add(ctx);
      case 'list':
        return list(ctx);
      case 'remove':
        return remove(ctx);
      default:
        throw new UsageError(`unknown acls subcommand '${sub}'`);
    }
  },
};

async function add({ client, output, parsed }: CommandContext): Promise<void> {
  noMorePositionals(parsed, 1);
  const principal = stringOption(parsed.values, 'principal');
  if (principal === undefined || principal === '') throw new UsageError("acls add needs --principal (a name, or '*' for everyone)");
  const resource = resourceOption(parsed.values, true)!;
  const prefixed = parsed.values.prefixed === true;
  if (prefixed && resource.resourceType === 'cluster') throw new UsageError('--prefixed applies to --topic and --group');
  const operation = stringOption(parsed.values, 'operation');
  if (operation === undefined) throw new UsageError(`acls add needs --operation (${ACL_OPERATIONS.join(', ')})`);
  if (!(ACL_OPERATIONS as readonly string[]).includes(operation)) {
    throw new UsageError(`--operation must be one of ${ACL_OPERATIONS.join(', ')}; got '${operation}'`);
  }
  const acl = await client.acls.create({
    principal,
    ...resource,
    patternType: prefixed ? 'prefixed' : 'literal',
    operation: operation as AclOperation,
    permission: parsed.values.deny === true ? 'deny' : 'allow',
  });
  if (output.json) return output.out(JSON.stringify(acl));
  output.out(`Added ACL ${acl.id}: ${describe(acl)}.`);
}

async function list({ client, output, parsed }: CommandContext): Promise<void> {
  noMorePositionals(parsed, 1);
  onlyForAdd(parsed.values);
  const principal = stringOption(parsed.values, 'principal');
  const filter: AclFilter = { ...resourceOption(parsed.values, false), ...(principal === undefined ? {} : { principal }) };
  const all = await client.acls.list(filter);
  if (output.json) return output.out(JSON.stringify(all));
  if (all.length === 0) return output.err('No ACLs.');
  output.out(
    table(
      ['ID', 'PRINCIPAL', 'PERMISSION', 'OPERATION', 'RESOURCE', 'PATTERN', 'NAME'],
      all.map((a) => [a.id, a.principal, a.permission, a.operation, a.resourceType, a.patternType, a.resourceName]),
    ),
  );
}

async function remove({ client, output, parsed }: CommandContext): Promise<void> {
  const id = positional(parsed, 1, 'ACL id');
  noMorePositionals(parsed, 2);
  onlyForAdd(parsed.values);
  for (const name of ['principal', 'topic', 'group', 'cluster']) {
    if (parsed.values[name] !== undefined) throw new UsageError(`--${name} applies to acls add and acls list`);
  }
  const acl = await client.acls.delete(id);
  if (output.json) return output.out(JSON.stringify(acl));
  output.out(`Removed ACL ${acl.id}: ${describe(acl)}.`);
}

/** `--topic NAME`, `--group NAME` or `--cluster`: exactly one for add, at most one for list. */
function resourceOption(values: CommandContext['parsed']['values'], required: boolean): { resourceType: AclResourceType; resourceName: string } | undefined {
  const topic = stringOption(values, 'topic');
  const group = stringOption(values, 'group');
  const cluster = values.cluster === true;
  const given = [topic !== undefined, group !== undefined, cluster].filter(Boolean).length;
  if (given > 1) throw new UsageError('give one of --topic, --group and --cluster');
  if (topic !== undefined) return { resourceType: 'topic', resourceName: topic };
  if (group !== undefined) return { resourceType: 'group', resourceName: group };
  if (cluster) return { resourceType: 'cluster', resourceName: CLUSTER_RESOURCE_NAME };
  if (required) throw new UsageError('acls add needs --topic NAME, --group NAME or --cluster');
  return undefined;
}

function onlyForAdd(values: CommandContext['parsed']['values']): void {
  for (const name of ['prefixed', 'operation', 'deny']) {
    if (values[name] !== undefined) throw new UsageError(`--${name} applies to acls add`);
  }
}

/** "allow alice write on topics prefixed 'orders.'" */
function describe(a: Acl): string {
  const who = a.principal === '*' ? 'everyone' : `'${a.principal}'`;
  const what =
    a.resourceType === 'cluster'
      ? 'the cluster'
      : a.patternType === 'prefixed'
        ? `${a.resourceType}s prefixed '${a.resourceName}'`
        : a.resourceName === '*'
          ? `every ${a.resourceType}`
          : `${a.resourceType} '${a.resourceName}'`;
  return `${a.permission} ${who} ${a.operation} on ${what}`;
}
