/**
 * One group: state, epoch, members and their assignments, committed offsets,
 * lag per partition with a rolling chart (history kept in the page), reset
 * offsets and delete, both behind a confirmation dialog.
 */
import { useRef, useState } from 'preact/hooks';
import { samsa, SamsaApiError, type CommittedOffset, type GroupDescription, type GroupLag } from '../api';
import { ConfirmDialog, ErrorBox, GroupState, LagChart, type LagSample } from '../components';
import { ago, iso, num } from '../format';
import { href, navigate } from '../router';
import { usePoll } from '../store';

const REFRESH_MS = 2000;
/** Samples kept for the chart: 5 minutes at one per refresh. */
const HISTORY = 150;

type To = 'earliest' | 'latest' | 'offset' | 'timestamp';

export function GroupPage({ group }: { group: string }) {
  const history = useRef<LagSample[]>([]);
  const state = usePoll(
    async () => {
      // Lag is the one that must exist; a group with commits but no members has no group item.
      const [lag, described, offsets] = await Promise.all([
        samsa.groups.lag(group),
        samsa.groups.describe(group).catch((err) => {
          if (err instanceof SamsaApiError && err.code === 'GROUP_ID_NOT_FOUND') return undefined;
          throw err;
        }),
        samsa.groups.offsets(group),
      ]);
      const sample: LagSample = {
        t: Date.now(),
        total: lag.totalLag,
        byPartition: Object.fromEntries(lag.partitions.map((p) => [`${p.topic}-${p.partition}`, p.lag])),
      };
      history.current = [...history.current, sample].slice(-HISTORY);
      return { lag, described, offsets };
    },
    REFRESH_MS,
    [group],
  );
  const [dialog, setDialog] = useState<'reset' | 'delete'>();
  const [resetSpec, setResetSpec] = useState<{ topic: string; to: To; value: string; partitions: string }>({
    topic: '',
    to: 'earliest',
    value: '',
    partitions: '',
  });
  const [done, setDone] = useState<string>();
  const [formError, setFormError] = useState<unknown>();

  const data = state.data;
  const topics = [...new Set([...(data?.lag.partitions.map((p) => p.topic) ?? []), ...(data?.offsets.map((o) => o.topic) ?? [])])].sort();
  // Live members, as the groups list counts them; expired ones stay in the table, muted, until removed.
  const liveMembers = data?.described?.members.filter((m) => !m.expired).length ?? 0;

  const openReset = (event: Event) => {
    event.preventDefault();
    setDone(undefined);
    setFormError(undefined);
    try {
      resetBody(resetSpec, topics);
      setDialog('reset');
    } catch (err) {
      setFormError(err);
    }
  };

  return (
    <section>
      <header class="page-head">
        <h2>
          <a href={href('groups')}>Consumer groups</a> / {group}
        </h2>
        <button type="button" class="danger" onClick={() => setDialog('delete')} disabled={liveMembers > 0} title={liveMembers > 0 ? 'Only a group without live members can be deleted' : ''}>
          Delete group
        </button>
      </header>
      <ErrorBox error={state.error} />
      {data ? (
        <>
          <dl class="facts">
            <dt>State</dt>
            <dd>
              <GroupState state={data.described?.state ?? 'Empty'} />
            </dd>
            <dt>Epoch</dt>
            <dd>{data.described?.epoch ?? '—'}</dd>
            <dt>Members</dt>
            <dd>{liveMembers}</dd>
            <dt>Total lag</dt>
            <dd data-testid="total-lag" class="big">
              {num(data.lag.totalLag)}
            </dd>
          </dl>

          <h3>Lag</h3>
          <LagChart samples={history.current} />
          <LagTable lag={data.lag} offsets={data.offsets} />

          <h3>Members</h3>
          <Members described={data.described} />

          <h3>Reset offsets</h3>
          <form class="inline panel" onSubmit={openReset} aria-label="Reset offsets">
            <label>
              Topic{' '}
              <select aria-label="Topic" value={resetSpec.topic || topics[0] || ''} onChange={(e) => setResetSpec({ ...resetSpec, topic: e.currentTarget.value })}>
                {topics.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <label>
              To{' '}
              <select aria-label="To" value={resetSpec.to} onChange={(e) => setResetSpec({ ...resetSpec, to: e.currentTarget.value as To })}>
                <option value="earliest">earliest</option>
                <option value="latest">latest</option>
                <option value="offset">offset</option>
                <option value="timestamp">timestamp</option>
              </select>
            </label>
            {resetSpec.to === 'offset' || resetSpec.to === 'timestamp' ? (
              <label>
                {resetSpec.to === 'offset' ? 'Offset' : 'Timestamp'}{' '}
                <input
                  value={resetSpec.value}
                  onInput={(e) => setResetSpec({ ...resetSpec, value: e.currentTarget.value })}
                  placeholder={resetSpec.to === 'offset' ? '0' : new Date().toISOString()}
                />
              </label>
            ) : null}
            <label>
              Partitions{' '}
              <input
                class="narrow"
                value={resetSpec.partitions}
                onInput={(e) => setResetSpec({ ...resetSpec, partitions: e.currentTarget.value })}
                placeholder="all"
              />
            </label>
            <button type="submit" disabled={topics.length === 0}>
              Reset offsets…
            </button>
            {liveMembers > 0 ? <span class="muted">Only possible while the group has no live members.</span> : null}
          </form>
          <ErrorBox error={formError} />
          {done ? (
            <p class="ok" role="status">
              {done}
            </p>
          ) : null}
        </>
      ) : state.loading ? (
        <p class="muted">Loading…</p>
      ) : null}

      {dialog === 'reset' ? (
        <ConfirmDialog
          title={`Reset offsets of ${group}?`}
          confirmLabel="Reset offsets"
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            const body = resetBody(resetSpec, topics);
            const offsets = await samsa.groups.resetOffsets(group, body);
            setDone(`Reset ${offsets.length} partition offset(s) of ${body.topic}.`);
            state.refresh();
          }}
        >
          <p>{describeReset(resetSpec, topics)} The group's consumers will start there when they next join.</p>
        </ConfirmDialog>
      ) : null}
      {dialog === 'delete' ? (
        <ConfirmDialog
          title={`Delete group ${group}?`}
          confirmLabel="Delete group"
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            await samsa.groups.delete(group);
            navigate(href('groups'));
          }}
        >
          <p>Its committed offsets are deleted; consumers that join it later start from their offset reset policy.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function resetBody(spec: { topic: string; to: To; value: string; partitions: string }, topics: string[]) {
  const topic = spec.topic || topics[0];
  if (!topic) throw new Error('This group has no topics to reset.');
  const partitions =
    spec.partitions.trim() === ''
      ? undefined
      : spec.partitions.split(/[\s,]+/).filter((p) => p !== '').map((p) => {
          const n = Number(p);
          if (!Number.isInteger(n) || n < 0) throw new Error(`'${p}' is not a partition number.`);
          return n;
        });
  let to: 'earliest' | 'latest' | { offset: number } | { timestamp: number };
  if (spec.to === 'offset') {
    const n = Number(spec.value);
    if (spec.value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new Error('Offset must be a whole number ≥ 0.');
    to = { offset: n };
  } else if (spec.to === 'timestamp') {
    const ms = /^\d+$/.test(spec.value.trim()) ? Number(spec.value.trim()) : Date.parse(spec.value);
    if (!Number.isFinite(ms) || ms < 0) throw new Error('Timestamp must be ISO 8601 or milliseconds since the epoch.');
    to = { timestamp: ms };
  } else {
    to = spec.to;
  }
  return { topic, to, ...(partitions ? { partitions } : {}) };
}

function describeReset(spec: { topic: string; to: To; value: string; partitions: string }, topics: string[]): string {
  const body = resetBody(spec, topics);
  const where = body.partitions ? `partitions ${body.partitions.join(', ')} of ${body.topic}` : `every partition of ${body.topic}`;
  const to = typeof body.to === 'string' ? `the ${body.to} offset` : 'offset' in body.to ? `offset ${body.to.offset}` : `the first offset at or after ${iso(body.to.timestamp)}`;
  return `Commits ${to} for ${where}.`;
}

function LagTable({ lag, offsets }: { lag: GroupLag; offsets: CommittedOffset[] }) {
  if (lag.partitions.length === 0) return <p class="muted">No partitions: the group subscribes to nothing and has committed nothing.</p>;
  const max = Math.max(1, ...lag.partitions.map((p) => p.lag));
  const committedAt = new Map(offsets.map((o) => [`${o.topic}/${o.partition}`, o.committedAt]));
  return (
    <table class="data" aria-label="Lag per partition">
      <thead>
        <tr>
          <th>Topic</th>
          <th class="n">Partition</th>
          <th class="n">Committed</th>
          <th>Committed at</th>
          <th class="n">Start</th>
          <th class="n">End</th>
          <th class="n">Lag</th>
          <th class="bar-cell" />
        </tr>
      </thead>
      <tbody>
        {lag.partitions.map((p) => {
          const at = committedAt.get(`${p.topic}/${p.partition}`);
          return (
            <tr key={`${p.topic}/${p.partition}`}>
              <td>
                <a href={href('topics', p.topic)}>{p.topic}</a>
              </td>
              <td class="n">{p.partition}</td>
              <td class="n">{num(p.committedOffset)}</td>
              <td class="muted nowrap">{at ? `${at} (${ago(at)})` : '—'}</td>
              <td class="n">{num(p.logStartOffset)}</td>
              <td class="n">{num(p.highWatermark)}</td>
              <td class="n">{num(p.lag)}</td>
              <td class="bar-cell">
                <span class="bar" style={{ width: `${(p.lag / max) * 100}%` }} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Members({ described }: { described: GroupDescription | undefined }) {
  if (!described || described.members.length === 0) return <p class="muted">No members.</p>;
  const tp = (list: { topic: string; partitions: number[] }[]) =>
    list.length === 0 ? '—' : list.map((t) => `${t.topic} [${t.partitions.join(', ')}]`).join('; ');
  return (
    <table class="data" aria-label="Members">
      <thead>
        <tr>
          <th>Member</th>
          <th class="n">Epoch</th>
          <th>Assigned</th>
          <th>Target</th>
          <th>Revoking</th>
          <th>Last heartbeat</th>
        </tr>
      </thead>
      <tbody>
        {described.members.map((m) => (
          <tr key={m.memberId} class={m.expired ? 'muted' : ''}>
            <td>
              <code>{m.memberId}</code>
              {m.expired ? <span class="badge Empty">expired</span> : null}
            </td>
            <td class="n">{m.memberEpoch}</td>
            <td>{tp(m.assignment)}</td>
            <td>{tp(m.target)}</td>
            <td>{tp(m.revoking)}</td>
            <td class="nowrap">{ago(m.lastHeartbeat)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
