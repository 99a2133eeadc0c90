/** Consumer groups: state, live members and total lag. */
import { mapLimit, samsa } from '../api';
import { ErrorBox, GroupState } from '../components';
import { num } from '../format';
import { href } from '../router';
import { usePoll } from '../store';

export function GroupsPage() {
  const groups = usePoll(
    async () => {
      const groups = await samsa.groups.list();
      const lags = await mapLimit(groups, 6, (g) =>
        samsa.groups.lag(g.group).then(
          (l) => l.totalLag,
          () => undefined,
        ),
      );
      return groups.map((g, i) => ({ ...g, totalLag: lags[i] }));
    },
    3000,
    [],
  );
  return (
    <section>
      <header class="page-head">
        <h2>Consumer groups</h2>
      </header>
      <ErrorBox error={groups.error} />
      {groups.data === undefined ? (
        groups.loading ? <p class="muted">Loading…</p> : null
      ) : groups.data.length === 0 ? (
        <p class="muted">No consumer groups yet. A group appears when its first member joins (SDK, CLI or POST /v1/groups/…/poll).</p>
      ) : (
        <table class="data" aria-label="Consumer groups">
          <thead>
            <tr>
              <th>Group</th>
              <th>State</th>
              <th class="n">Members</th>
              <th class="n">Total lag</th>
            </tr>
          </thead>
          <tbody>
            {groups.data.map((g) => (
              <tr key={g.group}>
                <td>
                  <a href={href('groups', g.group)}>{g.group}</a>
                </td>
                <td>
                  <GroupState state={g.state} />
                </td>
                <td class="n">{g.members}</td>
                <td class="n">{num(g.totalLag)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
