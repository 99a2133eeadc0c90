/** The console shell: navigation, the API key panel and the page for the current path. */
import { useState } from 'preact/hooks';
import { auth, samsa } from './api';
import { AuthPanel } from './components';
import { href, onLinkClick, useRoute } from './router';
import { usePoll, useStore } from './store';
import { GroupPage } from './views/group';
import { GroupsPage } from './views/groups';
import { SubscriptionPage } from './views/subscription';
import { SubscriptionsPage } from './views/subscriptions';
import { TopicPage } from './views/topic';
import { TopicsPage } from './views/topics';

export function App() {
  const route = useRoute();
  const { key, status } = useStore(auth);
  const [keyOpen, setKeyOpen] = useState(false);
  // Who the key belongs to; also the first request, so a missing key shows the key form at once.
  const me = usePoll(() => samsa.whoami(), 0, [key]);
  const section =
    route.page === 'group' || route.page === 'groups'
      ? 'groups'
      : route.page === 'subscription' || route.page === 'subscriptions'
        ? 'subscriptions'
        : 'topics';
  return (
    <div class="shell" onClick={onLinkClick}>
      <nav class="top">
        <a class="brand" href={href('topics')}>
          Samsa
        </a>
        <a href={href('topics')} aria-current={section === 'topics' ? 'page' : undefined}>
          Topics
        </a>
        <a href={href('groups')} aria-current={section === 'groups' ? 'page' : undefined}>
          Consumer groups
        </a>
        <a href={href('subscriptions')} aria-current={section === 'subscriptions' ? 'page' : undefined}>
          Subscriptions
        </a>
        <span class="spacer" />
        {status === 'denied' ? <span class="badge warn">key lacks permission</span> : null}
        {me.data ? (
          <span class="whoami">
            as <strong>{me.data.principal}</strong>
          </span>
        ) : null}
        <button type="button" class="link" onClick={() => setKeyOpen(!keyOpen)}>
          {key === '' ? 'API key: none' : 'API key: set'}
        </button>
      </nav>
      <AuthPanel open={keyOpen} onClose={() => setKeyOpen(false)} />
      <main>
        {route.page === 'topics' ? (
          <TopicsPage />
        ) : route.page === 'topic' ? (
          <TopicPage key={route.topic} topic={route.topic} />
        ) : route.page === 'groups' ? (
          <GroupsPage />
        ) : route.page === 'group' ? (
          <GroupPage key={route.group} group={route.group} />
        ) : route.page === 'subscriptions' ? (
          <SubscriptionsPage />
        ) : route.page === 'subscription' ? (
          <SubscriptionPage key={route.subscription} name={route.subscription} />
        ) : (
          <p>
            Nothing at <code>{route.path}</code>. <a href={href('topics')}>Topics</a>
          </p>
        )}
      </main>
    </div>
  );
}
