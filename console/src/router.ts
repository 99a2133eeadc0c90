/**
 * Path routing under the console's base (`/console/`): /console/topics/orders,
 * /console/groups/billing, /console/subscriptions/billing. The server answers every such path with index.html.
 */
import { useEffect, useState } from 'preact/hooks';

export const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

export type Route =
  | { page: 'topics' }
  | { page: 'topic'; topic: string }
  | { page: 'groups' }
  | { page: 'group'; group: string }
  | { page: 'subscriptions' }
  | { page: 'subscription'; subscription: string }
  | { page: 'missing'; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'topics')) return { page: 'topics' };
  if (parts.length === 2 && parts[0] === 'topics') return { page: 'topic', topic: parts[1]! };
  if (parts.length === 1 && parts[0] === 'groups') return { page: 'groups' };
  if (parts.length === 2 && parts[0] === 'groups') return { page: 'group', group: parts[1]! };
  if (parts.length === 1 && parts[0] === 'subscriptions') return { page: 'subscriptions' };
  if (parts.length === 2 && parts[0] === 'subscriptions') return { page: 'subscription', subscription: parts[1]! };
  return { page: 'missing', path };
}

export function href(...parts: string[]): string {
  return `${BASE}/${parts.map(encodeURIComponent).join('/')}`;
}

export function navigate(to: string): void {
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const onPop = () => {
      setRoute(parseRoute(location.pathname));
      scrollTo(0, 0);
    };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  return route;
}

/** Same-origin link clicks (without modifier keys) navigate in place. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || anchor.origin !== location.origin || !anchor.pathname.startsWith(BASE)) return;
  event.preventDefault();
  if (anchor.pathname !== location.pathname) navigate(anchor.pathname);
}
