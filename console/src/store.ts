/** A tiny observable value and the hooks the views use (no state library needed at this size). */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export class Store<T extends object> {
  private listeners = new Set<(value: T) => void>();
  constructor(private value: T) {}
  get(): T {
    return this.value;
  }
  set(value: T): void {
    this.value = value;
    for (const listener of this.listeners) listener(value);
  }
  update(patch: Partial<T>): void {
    this.set({ ...this.value, ...patch });
  }
  subscribe(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function useStore<T extends object>(store: Store<T>): T {
  const [value, setValue] = useState(store.get());
  useEffect(() => {
    setValue(store.get());
    return store.subscribe(setValue);
  }, [store]);
  return value;
}

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** When the last successful answer arrived (ms). */
  at: number | undefined;
  refresh(): void;
}

/**
 * Calls `load` now and every `intervalMs` (never two at once, paused while the
 * tab is hidden); `key` restarts it. Keeps the last data when a refresh fails.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, key: unknown[]): Polled<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean; at: number | undefined }>({
    data: undefined,
    error: undefined,
    loading: true,
    at: undefined,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const tick = useRef<() => void>(() => {});

  useEffect(() => {
    let alive = true;
    let running = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({ data: undefined, error: undefined, loading: true, at: undefined });
    const run = async () => {
      clearTimeout(timer);
      if (!alive || running) return;
      if (document.hidden) {
        // Look again later (also for one-shot loads, interval 0), without spinning.
        timer = setTimeout(run, Math.max(intervalMs, 1000));
        return;
      }
      running = true;
      try {
        const data = await loadRef.current();
        if (alive) setState({ data, error: undefined, loading: false, at: Date.now() });
      } catch (error) {
        if (alive) setState((s) => ({ ...s, error, loading: false }));
      } finally {
        running = false;
        if (alive && intervalMs > 0) timer = setTimeout(run, intervalMs);
      }
    };
    tick.current = () => void run();
    // A new API key was entered: load again now rather than at the next tick.
    const onAuth = () => void run();
    addEventListener('samsa:auth', onAuth);
    void run();
    return () => {
      alive = false;
      clearTimeout(timer);
      removeEventListener('samsa:auth', onAuth);
    };
  }, key);

  const refresh = useCallback(() => tick.current(), []);
  return { ...state, refresh };
}

/** A user action with a busy flag and the error it ended with (shown by the form that started it). */
export function useAction(): { busy: boolean; error: unknown; setError(error: unknown): void; run(action: () => Promise<void>): Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
