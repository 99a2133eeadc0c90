/** Push subscriptions: topic, endpoint, state and total lag (docs/subscriptions.md). */
import { mapLimit, samsa, type SubscriptionDescription } from '../api';
import { ErrorBox, SubscriptionState } from '../components';
import { num } from '../format';
import { href } from '../router';
import { usePoll } from '../store';

const REFRESH_MS = 3000;

/** What the list needs from a subscription's description: its lag and how many partitions are failing. */
function summary(d: SubscriptionDescription): { totalLag: number; failing: number } {
  return {
    totalLag: d.partitions.reduce((sum, p) => sum + p.lag, 0),
    failing: d.partitions.filter((p) => p.attempts > 0).length,
  };
}

export function SubscriptionsPage() {
  const subs = usePoll(
    async () => {
      // The list leaves partitions empty; lag and failures come from describing each.
      const subs = await samsa.subscriptions.list();
      const described = await mapLimit(subs, 6, (s) =>
        samsa.subscriptions.describe(s.name).then(summary, () => undefined),
      );
      return subs.map((s, i) => ({ ...s, totalLag: described[i]?.totalLag, failing: described[i]?.failing ?? 0 }));
    },
    REFRESH_MS,
    [],
  );
  return (
    <section>
      <header class="page-head">
        <h2>Subscriptions</h2>
      </header>
      <ErrorBox error={subs.error} />
      {subs.data === undefined ? (
        subs.loading ? <p class="muted">Loading…</p> : null
      ) : subs.data.length === 0 ? (
        <p class="muted">
          No push subscriptions yet. Create one with the SDK (<code>samsa.subscriptions.create</code>), the CLI (<code>samsa subscriptions create</code>) or{' '}
          <code>POST /v1/subscriptions</code>.
        </p>
      ) : (
        <table class="data" aria-label="Subscriptions">
          <thead>
            <tr>
              <th>Name</th>
              <th>Topic</th>
              <th>Endpoint</th>
              <th>State</th>
              <th class="n" title="Sum over partitions of high watermark − committed offset">
                Total lag
              </th>
            </tr>
          </thead>
          <tbody>
            {subs.data.map((s) => (
              <tr key={s.name}>
                <td>
                  <a href={href('subscriptions', s.name)}>{s.name}</a>
                </td>
                <td>
                  <a href={href('topics', s.topic)}>{s.topic}</a>
                </td>
                <td>
                  <code>{s.endpoint}</code>
                </td>
                <td class="nowrap">
                  <SubscriptionState state={s.state} />
                  {s.failing > 0 ? (
                    <span class="badge warn" title="Partitions whose current batch failed and is being retried">
                      {s.failing} failing
                    </span>
                  ) : null}
                </td>
                <td class="n">{num(s.totalLag)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
