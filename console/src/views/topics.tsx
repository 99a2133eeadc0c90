/** Topics: name, partitions, records (end − start summed) and throughput from offset deltas between refreshes. */
import { useRef, useState } from 'preact/hooks';
import { mapLimit, samsa, type PartitionOffsets, type TopicListing } from '../api';
import { ErrorBox } from '../components';
import { num, rate } from '../format';
import { href, navigate } from '../router';
import { useAction, usePoll } from '../store';

const REFRESH_MS = 3000;

interface TopicRow extends TopicListing {
  records: number | undefined;
  end: number | undefined;
  perSecond: number | undefined;
}

export function TopicsPage() {
  // Previous sample per topic id: (time, sum of high watermarks).
  const previous = useRef(new Map<string, { t: number; end: number }>());
  const topics = usePoll(
    async () => {
      const topics = await samsa.topics.list();
      const offsets = await mapLimit(topics, 6, (t) =>
        samsa.topicOffsets(t.name).then(
          (partitions) => partitions,
          () => undefined as PartitionOffsets[] | undefined,
        ),
      );
      const now = Date.now();
      return topics.map((t, i): TopicRow => {
        const parts = offsets[i];
        if (parts === undefined) return { ...t, records: undefined, end: undefined, perSecond: undefined };
        const end = parts.reduce((sum, p) => sum + p.highWatermark, 0);
        const records = parts.reduce((sum, p) => sum + (p.highWatermark - p.logStartOffset), 0);
        const before = previous.current.get(t.topicId);
        previous.current.set(t.topicId, { t: now, end });
        const perSecond = before && now > before.t ? Math.max(0, ((end - before.end) * 1000) / (now - before.t)) : undefined;
        return { ...t, records, end, perSecond };
      });
    },
    REFRESH_MS,
    [],
  );

  return (
    <section>
      <header class="page-head">
        <h2>Topics</h2>
        <CreateTopic onCreated={(name) => navigate(href('topics', name))} />
      </header>
      <ErrorBox error={topics.error} />
      {topics.data === undefined ? (
        topics.loading ? <p class="muted">Loading…</p> : null
      ) : topics.data.length === 0 ? (
        <p class="muted">No topics yet. Create one above.</p>
      ) : (
        <table class="data" aria-label="Topics">
          <thead>
            <tr>
              <th>Name</th>
              <th class="n">Partitions</th>
              <th class="n" title="Sum over partitions of high watermark − log start offset">Records</th>
              <th class="n" title="Sum of high watermarks">End offsets</th>
              <th class="n" title={`Records appended per second, from the change between refreshes (every ${REFRESH_MS / 1000} s)`}>
                Throughput
              </th>
            </tr>
          </thead>
          <tbody>
            {topics.data.map((t) => (
              <tr key={t.topicId}>
                <td>
                  <a href={href('topics', t.name)}>{t.name}</a>
                </td>
                <td class="n">{t.partitions}</td>
                <td class="n">{num(t.records)}</td>
                <td class="n">{num(t.end)}</td>
                <td class="n">{rate(t.perSecond)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CreateTopic({ onCreated }: { onCreated(name: string): void }) {
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('3');
  const { busy, error, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    return run(async () => {
      const created = await samsa.topics.create({ name: name.trim(), partitions: Number(partitions) });
      onCreated(created.name);
    });
  };
  return (
    <form class="inline" onSubmit={submit} aria-label="Create topic">
      <label>
        Topic name <input required value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="orders" />
      </label>
      <label>
        Partitions{' '}
        <input required type="number" min="1" class="narrow" value={partitions} onInput={(e) => setPartitions(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Create topic
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
