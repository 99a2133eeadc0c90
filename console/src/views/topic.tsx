/** One topic: configs, per-partition offsets, the message browser and a produce form. */
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { consoleProducer, liveNotifications, samsa, SamsaApiError, type Data as DataValue, type FetchResult, type Header, type PartitionConsumer, type PartitionOffsets } from '../api';
import { ConfirmDialog, ErrorBox } from '../components';
import { bytesOf, hexBytes, iso, num, parseHeaders, render, type ViewMode } from '../format';
import { href, navigate } from '../router';
import { useAction, usePoll } from '../store';

export function TopicPage({ topic }: { topic: string }) {
  const described = usePoll(() => samsa.topics.describe(topic), 30_000, [topic]);
  const offsets = usePoll(() => samsa.topicOffsets(topic), 3000, [topic]);
  const [jump, setJump] = useState<{ partition: number; offset: number; nonce: number }>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const partitions = offsets.data ?? described.data?.partitions.map((p) => ({ partition: p.partition, logStartOffset: 0, highWatermark: 0 })) ?? [];

  if (described.error instanceof SamsaApiError && described.error.code === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return (
      <section>
        <h2>Topic {topic}</h2>
        <ErrorBox error={described.error} />
        <p>
          <a href={href('topics')}>All topics</a>
        </p>
      </section>
    );
  }

  return (
    <section>
      <header class="page-head">
        <h2>
          <a href={href('topics')}>Topics</a> / {topic}
        </h2>
        <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
          Delete topic
        </button>
      </header>
      <ErrorBox error={described.error ?? offsets.error} />
      {described.data ? (
        <dl class="facts">
          <dt>Topic id</dt>
          <dd>
            <code>{described.data.topicId}</code>
          </dd>
          <dt>Created</dt>
          <dd>{described.data.createdAt}</dd>
          {described.data.configs.map((c) => (
            <Fragment key={c.name}>
              <dt>{c.name}</dt>
              <dd class={c.source === 'default' ? 'muted' : ''}>
                {c.value}
                {c.source === 'default' ? ' (default)' : ''}
              </dd>
            </Fragment>
          ))}
        </dl>
      ) : null}

      <h3>Partitions</h3>
      <table class="data" aria-label="Partitions">
        <thead>
          <tr>
            <th class="n">Partition</th>
            <th class="n">Start offset</th>
            <th class="n">End offset</th>
            <th class="n">Records</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {partitions.map((p) => (
            <tr key={p.partition}>
              <td class="n">{p.partition}</td>
              <td class="n">{num(p.logStartOffset)}</td>
              <td class="n">{num(p.highWatermark)}</td>
              <td class="n">{num(p.highWatermark - p.logStartOffset)}</td>
              <td>
                <button type="button" class="link" onClick={() => setJump({ partition: p.partition, offset: p.logStartOffset, nonce: Date.now() })}>
                  Browse
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <MessageBrowser topic={topic} partitions={partitions} jump={jump} />
      <ProduceForm
          topic={topic}
          partitionCount={partitions.length}
          onProduced={(partition, offset) => {
            offsets.refresh();
            setJump({ partition, offset, nonce: Date.now() });
          }}
        />

      {confirmDelete ? (
        <ConfirmDialog
          title={`Delete topic ${topic}?`}
          confirmLabel="Delete topic"
          onClose={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await samsa.topics.delete(topic);
            navigate(href('topics'));
          }}
        >
          <p>
            All its records become unreadable at once and its offsets are never reused. Group commits on it are kept but point at nothing. This
            cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

type From = 'offset' | 'timestamp' | 'latest';

function MessageBrowser(props: { topic: string; partitions: PartitionOffsets[]; jump: { partition: number; offset: number; nonce: number } | undefined }) {
  const [partition, setPartition] = useState(0);
  const [from, setFrom] = useState<From>('offset');
  const [offset, setOffset] = useState('0');
  const [timestamp, setTimestamp] = useState('');
  const [count, setCount] = useState('20');
  const [mode, setMode] = useState<ViewMode>('text');
  const [result, setResult] = useState<(FetchResult & { partition: number; from: number }) | undefined>();
  const [note, setNote] = useState<string>();
  const [live, setLive] = useState(false);
  /** Bumped by every Browse: a live tail restarts from the end of what it loaded. */
  const [loads, setLoads] = useState(0);
  const { busy, error, setError, run } = useAction();
  const shown = useRef(result);
  shown.current = result;

  // Live tail: a partition consumer from the end of what is shown, woken by notifications
  // (long polls where the server names no endpoint or it does not answer); new records are appended, the oldest
  // dropped beyond Max. Restarted when the partition changes, stopped when unticked.
  useEffect(() => {
    const start = shown.current;
    if (!live || start === undefined) return;
    const max = Math.max(1, Math.min(500, Number(count) || 20));
    let consumer: PartitionConsumer | undefined;
    let stopped = false;
    void (async () => {
      try {
        const notifications = await liveNotifications();
        if (stopped) return;
        consumer = samsa.partitionConsumer({
          topic: props.topic,
          partition: start.partition,
          offset: start.nextOffset,
          ...(notifications === undefined ? {} : { notifications }),
          safetyPollMs: 30_000,
        });
        for await (const batch of consumer) {
          setResult((r) =>
            r === undefined || r.partition !== batch.partition
              ? r
              : (() => {
                  const records = [...r.records, ...batch.records].slice(-max);
                  return { ...batch, records, from: records[0]?.offset ?? r.from };
                })(),
          );
        }
      } catch (err) {
        setError(err);
        setLive(false);
      }
    })();
    return () => {
      stopped = true;
      void consumer?.close();
    };
  }, [live, loads, props.topic]);

  const load = (p: number, start: number) => {
    setNote(undefined);
    return run(async () => {
      const max = Math.max(1, Math.min(500, Number(count) || 20));
      const fetched = await samsa.fetchRecords({ topic: props.topic, partition: p, offset: start, maxRecords: max, maxBytes: 1024 * 1024 });
      setResult({ ...fetched, partition: p, from: start });
      setOffset(String(start));
      setLoads((n) => n + 1);
    });
  };

  const browse = async (event?: Event) => {
    event?.preventDefault();
    setError(undefined);
    try {
      if (from === 'offset') {
        const n = Number(offset);
        if (!Number.isSafeInteger(n) || n < 0) throw new Error('Offset must be a whole number ≥ 0.');
        return await load(partition, n);
      }
      if (from === 'latest') {
        const latest = await samsa.listOffsets(props.topic, partition, 'latest');
        const n = Math.max(1, Number(count) || 20);
        return await load(partition, Math.max(latest.logStartOffset, latest.highWatermark - n));
      }
      const ms = /^\d+$/.test(timestamp.trim()) ? Number(timestamp.trim()) : Date.parse(timestamp);
      if (!Number.isFinite(ms) || ms < 0) throw new Error('Timestamp must be ISO 8601 (2026-01-31T12:00:00Z) or milliseconds since the epoch.');
      const found = await samsa.listOffsets(props.topic, partition, ms);
      if (found.offset === null) {
        setResult(undefined);
        setNote(`No record in partition ${partition} has a timestamp at or after ${iso(ms)}.`);
        return;
      }
      await load(partition, found.offset);
    } catch (err) {
      setError(err);
    }
  };

  useEffect(() => {
    if (props.jump === undefined) return;
    setPartition(props.jump.partition);
    setFrom('offset');
    void load(props.jump.partition, props.jump.offset);
  }, [props.jump?.nonce]);

  return (
    <section class="panel browser" aria-label="Message browser">
      <h3>Messages</h3>
      <form class="inline" onSubmit={browse}>
        <label>
          Partition{' '}
          <select aria-label="Partition" value={String(partition)} onChange={(e) => setPartition(Number(e.currentTarget.value))}>
            {props.partitions.map((p) => (
              <option key={p.partition} value={String(p.partition)}>
                {p.partition}
              </option>
            ))}
          </select>
        </label>
        <label>
          From{' '}
          <select aria-label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value as From)}>
            <option value="offset">offset</option>
            <option value="timestamp">timestamp</option>
            <option value="latest">latest</option>
          </select>
        </label>
        {from === 'offset' ? (
          <label>
            Offset <input class="narrow" inputMode="numeric" value={offset} onInput={(e) => setOffset(e.currentTarget.value)} />
          </label>
        ) : from === 'timestamp' ? (
          <label>
            Timestamp{' '}
            <input value={timestamp} onInput={(e) => setTimestamp(e.currentTarget.value)} placeholder={new Date().toISOString()} />
          </label>
        ) : null}
        <label>
          Max <input class="narrow" inputMode="numeric" value={count} onInput={(e) => setCount(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Browse
        </button>
        <label title="Append records as they are produced (after Browse)">
          <input type="checkbox" aria-label="Live" checked={live} disabled={result === undefined} onChange={(e) => setLive(e.currentTarget.checked)} /> Live
        </label>
      </form>
      <div class="toolbar">
        <span role="radiogroup" aria-label="Show values as" class="segmented">
          {(['text', 'json', 'hex'] as const).map((m) => (
            <button key={m} type="button" role="radio" aria-checked={mode === m} class={mode === m ? 'on' : ''} onClick={() => setMode(m)}>
              {m === 'json' ? 'JSON' : m === 'hex' ? 'Hex' : 'Text'}
            </button>
          ))}
        </span>
        {result ? (
          <span class="muted">
            partition {result.partition} · offsets {num(result.from)}–{num(result.nextOffset - 1)} · log {num(result.logStartOffset)}–
            {num(result.highWatermark)}
          </span>
        ) : null}
      </div>
      <ErrorBox error={error} />
      {note ? <p class="muted">{note}</p> : null}
      {result ? (
        result.records.length === 0 ? (
          <p class="muted">No records at offset {num(result.from)} (the end of the partition is {num(result.highWatermark)}).</p>
        ) : (
          <div class="scroll">
          <table class="data records" aria-label="Records">
            <thead>
              <tr>
                <th class="n">Offset</th>
                <th>Timestamp</th>
                <th>Key</th>
                <th>Value</th>
                <th>Headers</th>
              </tr>
            </thead>
            <tbody>
              {result.records.map((r) => (
                <tr key={r.offset}>
                  <td class="n">{r.offset}</td>
                  <td class="nowrap">{iso(r.timestamp)}</td>
                  <td>
                    <Data value={r.key} mode={mode} notes={false} />
                  </td>
                  <td>
                    <Data value={r.value} mode={mode} />
                  </td>
                  <td>
                    <Headers headers={r.headers} mode={mode} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        )
      ) : null}
      {result && result.nextOffset < result.highWatermark ? (
        <button type="button" onClick={() => load(result.partition, result.nextOffset)} disabled={busy}>
          Next from offset {num(result.nextOffset)}
        </button>
      ) : null}
    </section>
  );
}

function Data({ value, mode, notes = true }: { value: DataValue | null; mode: ViewMode; notes?: boolean }) {
  if (value === null) return <span class="muted">null</span>;
  const shown = render(value, mode);
  return (
    <div class="datum">
      <span class="type">{value.type}</span>
      {shown.note && notes ? <span class="type warn">{shown.note}</span> : null}
      <pre class={mode === 'hex' ? 'hex' : ''}>{shown.text}</pre>
    </div>
  );
}

function Headers({ headers, mode }: { headers: Header[]; mode: ViewMode }) {
  if (headers.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="headers">
      {headers.map((h, i) => (
        <li key={i}>
          <code>{h.name}</code>:{' '}
          {h.value === null ? (
            <span class="muted">null</span>
          ) : mode === 'hex' || h.value.type === 'BINARY' ? (
            <code>{hexBytes(bytesOf(h.value), 64)}</code>
          ) : (
            <code>{render(h.value, 'text').text}</code>
          )}
        </li>
      ))}
    </ul>
  );
}

function ProduceForm(props: { topic: string; partitionCount: number; onProduced(partition: number, offset: number): void }) {
  const [partition, setPartition] = useState('');
  const [key, setKey] = useState('');
  const [type, setType] = useState<'STRING' | 'JSON'>('STRING');
  const [value, setValue] = useState('');
  const [headers, setHeaders] = useState('');
  const [done, setDone] = useState<string>();
  const { busy, error, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    setDone(undefined);
    return run(async () => {
      let data: unknown = value;
      if (type === 'JSON') {
        try {
          data = JSON.parse(value);
        } catch (err) {
          throw new Error(`The value is not valid JSON: ${(err as Error).message}`);
        }
      }
      // A failed record rejects with the SDK's typed error, shown like any other.
      const result = await consoleProducer().send({
        topic: props.topic,
        ...(partition === '' ? {} : { partition: Number(partition) }),
        key: key === '' ? undefined : key,
        value: type === 'JSON' ? { json: data } : value,
        headers: parseHeaders(headers),
      });
      setDone(`Produced to partition ${result.partition} at offset ${result.offset}.`);
      props.onProduced(result.partition, result.offset);
    });
  };

  return (
    <form class="panel produce" onSubmit={submit} aria-label="Produce a message">
      <h3>Produce a test message</h3>
      <div class="grid">
        <label>
          Partition
          <select aria-label="Partition" value={partition} onChange={(e) => setPartition(e.currentTarget.value)}>
            <option value="">by key (any without a key)</option>
            {Array.from({ length: props.partitionCount }, (_, p) => (
              <option key={p} value={String(p)}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Key <input value={key} onInput={(e) => setKey(e.currentTarget.value)} placeholder="optional, STRING" />
        </label>
        <label>
          Value type
          <select aria-label="Value type" value={type} onChange={(e) => setType(e.currentTarget.value as 'STRING' | 'JSON')}>
            <option value="STRING">STRING</option>
            <option value="JSON">JSON</option>
          </select>
        </label>
        <label class="wide">
          Value
          <textarea rows={4} value={value} onInput={(e) => setValue(e.currentTarget.value)} placeholder={type === 'JSON' ? '{"total": 42}' : 'hello'} />
        </label>
        <label>
          Headers
          <textarea rows={4} value={headers} onInput={(e) => setHeaders(e.currentTarget.value)} placeholder={'one per line:\nname: value'} />
        </label>
      </div>
      <div class="toolbar">
        <button type="submit" disabled={busy}>
          Produce
        </button>
        {done ? (
          <span class="ok" role="status">
            {done}
          </span>
        ) : null}
      </div>
      <ErrorBox error={error} />
    </form>
  );
}
