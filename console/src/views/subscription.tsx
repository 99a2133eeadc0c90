/**
 * One push subscription: settings and state, per partition the committed
 * offset, high watermark, lag and the failing batch's attempts, next attempt
 * and last error; pause, resume, and delete behind a confirmation dialog.
 */
import { useState } from 'preact/hooks';
import { samsa, type SubscriptionDescription } from '../api';
import { ConfirmDialog, ErrorBox, SubscriptionState } from '../components';
import { fromNow, iso, num } from '../format';
import { href, navigate } from '../router';
import { useAction, usePoll } from '../store';

const REFRESH_MS = 2000;

export function SubscriptionPage({ name }: { name: string }) {
  const state = usePoll(() => samsa.subscriptions.describe(name), REFRESH_MS, [name]);
  const action = useAction();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const sub = state.data;
  const setState = (to: 'pause' | 'resume') =>
    action.run(async () => {
      await (to === 'pause' ? samsa.subscriptions.pause(name) : samsa.subscriptions.resume(name));
      state.refresh();
    });

  return (
    <section>
      <header class="page-head">
        <h2>
          <a href={href('subscriptions')}>Subscriptions</a> / {name}
        </h2>
        <div class="buttons">
          {sub?.state === 'PAUSED' ? (
            <button type="button" onClick={() => setState('resume')} disabled={action.busy}>
              Resume
            </button>
          ) : (
            <button type="button" onClick={() => setState('pause')} disabled={action.busy || sub === undefined}>
              Pause
            </button>
          )}
          <button type="button" class="danger" onClick={() => setConfirmDelete(true)} disabled={sub === undefined}>
            Delete subscription
          </button>
        </div>
      </header>
      <ErrorBox error={action.error} />
      <ErrorBox error={state.error} />
      {sub ? (
        <>
          <Facts sub={sub} />
          <h3>Partitions</h3>
          <Partitions sub={sub} />
        </>
      ) : state.loading ? (
        <p class="muted">Loading…</p>
      ) : null}

      {confirmDelete ? (
        <ConfirmDialog
          title={`Delete subscription ${name}?`}
          confirmLabel="Delete subscription"
          onClose={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await samsa.subscriptions.delete(name);
            navigate(href('subscriptions'));
          }}
        >
          <p>
            Delivery to <code>{sub?.endpoint}</code> stops, and the subscription's consumer group <code>{sub?.group}</code> is deleted with its
            committed offsets. The topic and the dead-letter topic keep their records.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function Facts({ sub }: { sub: SubscriptionDescription }) {
  const totalLag = sub.partitions.reduce((sum, p) => sum + p.lag, 0);
  return (
    <dl class="facts">
      <dt>State</dt>
      <dd data-testid="subscription-state">
        <SubscriptionState state={sub.state} />
      </dd>
      <dt>Topic</dt>
      <dd>
        <a href={href('topics', sub.topic)}>{sub.topic}</a>
      </dd>
      <dt>Endpoint</dt>
      <dd>
        <code>{sub.endpoint}</code>
      </dd>
      <dt>Dead-letter topic</dt>
      <dd>
        <a href={href('topics', sub.deadLetterTopic)}>{sub.deadLetterTopic}</a>
      </dd>
      <dt>Consumer group</dt>
      <dd>
        <a href={href('groups', sub.group)}>{sub.group}</a>
      </dd>
      <dt>Batches</dt>
      <dd>
        up to {num(sub.maxRecords)} records, {num(sub.maxBytes)} bytes{sub.lingerMs > 0 ? `, linger ${num(sub.lingerMs)} ms` : ''}
      </dd>
      <dt>Retries</dt>
      <dd>
        {sub.maxAttempts} attempts, backoff from {num(sub.retryBackoffMs)} ms doubling, then the dead-letter topic
      </dd>
      <dt>Created</dt>
      <dd>
        {sub.createdAt} by {sub.createdBy}
      </dd>
      <dt>Total lag</dt>
      <dd data-testid="total-lag" class="big">
        {num(totalLag)}
      </dd>
    </dl>
  );
}

function Partitions({ sub }: { sub: SubscriptionDescription }) {
  if (sub.partitions.length === 0) return <p class="muted">No partitions yet: nothing has been delivered or committed.</p>;
  return (
    <table class="data" aria-label="Delivery per partition">
      <thead>
        <tr>
          <th class="n">Partition</th>
          <th class="n" title="Delivered and acknowledged up to here (— : nothing committed yet)">
            Committed
          </th>
          <th class="n">High watermark</th>
          <th class="n">Lag</th>
          <th class="n" title={`Failed attempts of the batch at the committed offset (dead-lettered after ${sub.maxAttempts})`}>
            Attempts
          </th>
          <th>Next attempt</th>
          <th>Last error</th>
        </tr>
      </thead>
      <tbody>
        {sub.partitions.map((p) => (
          <tr key={p.partition}>
            <td class="n">{p.partition}</td>
            <td class="n">{num(p.committedOffset)}</td>
            <td class="n">{num(p.highWatermark)}</td>
            <td class="n">{num(p.lag)}</td>
            <td class={p.attempts > 0 ? 'n failing' : 'n'}>{p.attempts}</td>
            <td class="nowrap">{p.nextAttemptAt === null ? '—' : `${iso(Date.parse(p.nextAttemptAt))} (${fromNow(p.nextAttemptAt)})`}</td>
            <td class={p.lastError === null ? 'muted' : 'failing'}>{p.lastError ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
