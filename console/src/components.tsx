/** Shared pieces: error box, confirmation dialog, API key panel, lag chart, group and subscription state badges. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { auth, SamsaApiError, SamsaError, setApiKey, type GroupListing, type SubscriptionDescription } from './api';
import { useStore } from './store';

export function ErrorBox({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  if (error instanceof SamsaApiError) {
    if (error.status === 401) {
      return (
        <div class="error" role="alert">
          <strong>Authentication required</strong> ({error.code}): enter an API key above. {error.message}
        </div>
      );
    }
    if (error.status === 403) {
      return (
        <div class="error" role="alert">
          <strong>Not allowed</strong> ({error.code}): {error.message || 'your API key may not do this.'}
        </div>
      );
    }
    return (
      <div class="error" role="alert">
        <strong>{error.code}</strong>: {error.message}
        {error.retriable ? ' (retriable)' : ''}
        {error.requestId ? <span class="muted"> · request {error.requestId}</span> : null}
      </div>
    );
  }
  if (error instanceof SamsaError) {
    // No answer (NETWORK_ERROR, TIMEOUT) or a request the SDK refused to send (INVALID_ARGUMENT).
    return (
      <div class="error" role="alert">
        <strong>{error.code}</strong>: {error.message}
      </div>
    );
  }
  return (
    <div class="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </div>
  );
}

export function ConfirmDialog(props: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm(): Promise<void> | void;
  onClose(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="dialog-title" onClose={props.onClose}>
      <h3 id="dialog-title">{props.title}</h3>
      <div>{props.children}</div>
      <ErrorBox error={error} />
      <div class="actions">
        <button type="button" onClick={props.onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={confirm} disabled={busy}>
          {busy ? 'Working…' : props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** The API key form: shown on demand, and by itself when the API answers 401. */
export function AuthPanel({ open, onClose }: { open: boolean; onClose(): void }) {
  const { key, status } = useStore(auth);
  const [draft, setDraft] = useState(key);
  useEffect(() => setDraft(key), [key]);
  if (!open && status !== 'needed') return null;
  const save = (event: Event) => {
    event.preventDefault();
    setApiKey(draft);
    onClose();
    // Pages poll; a reload of the current data happens on their next tick. Nudge them now.
    dispatchEvent(new Event('samsa:auth'));
  };
  return (
    <form class="panel auth" onSubmit={save} aria-label="API key">
      {status === 'needed' ? (
        <p role="alert">
          <strong>This API requires an API key</strong> (401 UNAUTHENTICATED
          {key !== '' ? ': the key you entered was not accepted' : ''}). Enter one to continue.
        </p>
      ) : (
        <p>The key is sent as <code>Authorization: Bearer …</code> and kept in this tab only (sessionStorage).</p>
      )}
      <label>
        API key{' '}
        <input type="password" autoComplete="off" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} placeholder="samsa_…" />
      </label>{' '}
      <button type="submit">Use key</button>{' '}
      {key !== '' ? (
        <button
          type="button"
          onClick={() => {
            setApiKey('');
            onClose();
          }}
        >
          Forget key
        </button>
      ) : null}
    </form>
  );
}

export interface LagSample {
  t: number;
  total: number;
  byPartition: Record<string, number>;
}

const COLORS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b83280', '#2c7a7b', '#975a16', '#4a5568'];

/** Lag over time: the total (thick) and, for up to 8 partitions, each partition. */
export function LagChart({ samples, width = 640, height = 180 }: { samples: LagSample[]; width?: number; height?: number }) {
  const pad = { left: 44, right: 12, top: 10, bottom: 22 };
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  if (samples.length === 0) {
    return (
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Lag chart (waiting for data)">
        <text x={width / 2} y={height / 2} text-anchor="middle" class="axis">
          waiting for data…
        </text>
      </svg>
    );
  }
  const t0 = samples[0]!.t;
  const t1 = Math.max(samples[samples.length - 1]!.t, t0 + 1);
  const maxLag = Math.max(1, ...samples.map((s) => s.total));
  const x = (t: number) => pad.left + ((t - t0) / (t1 - t0)) * innerW;
  const y = (v: number) => pad.top + innerH - (v / maxLag) * innerH;
  const line = (values: number[]) => samples.map((s, i) => `${x(s.t).toFixed(1)},${y(values[i]!).toFixed(1)}`).join(' ');
  const partitions = [...new Set(samples.flatMap((s) => Object.keys(s.byPartition)))].sort();
  const shown = partitions.length > 1 ? partitions.slice(0, COLORS.length) : [];
  const last = samples[samples.length - 1]!;
  const span = Math.round((t1 - t0) / 1000);
  return (
    <figure class="chart-figure">
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Lag chart: total lag ${last.total} now`}>
        <line x1={pad.left} y1={pad.top + innerH} x2={pad.left + innerW} y2={pad.top + innerH} class="grid" />
        <line x1={pad.left} y1={pad.top} x2={pad.left + innerW} y2={pad.top} class="grid" />
        <text x={pad.left - 6} y={pad.top + 4} text-anchor="end" class="axis">
          {maxLag.toLocaleString('en-US')}
        </text>
        <text x={pad.left - 6} y={pad.top + innerH + 4} text-anchor="end" class="axis">
          0
        </text>
        <text x={pad.left} y={height - 4} class="axis">
          −{span} s
        </text>
        <text x={pad.left + innerW} y={height - 4} text-anchor="end" class="axis">
          now
        </text>
        {shown.map((p, i) => (
          <polyline key={p} points={line(samples.map((s) => s.byPartition[p] ?? 0))} fill="none" stroke={COLORS[i]} stroke-width="1.5" opacity="0.8" />
        ))}
        <polyline points={line(samples.map((s) => s.total))} fill="none" stroke="#1a202c" stroke-width="2.5" />
        {samples.length === 1 ? <circle cx={x(last.t)} cy={y(last.total)} r="3" fill="#1a202c" /> : null}
      </svg>
      <figcaption class="legend">
        <span>
          <i style={{ background: '#1a202c' }} /> total
        </span>
        {shown.map((p, i) => (
          <span key={p}>
            <i style={{ background: COLORS[i] }} /> {p}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** What each of Kafka's group states means here (lib/groups/status.ts), shown on hover. */
const GROUP_STATE_HELP: Record<GroupListing['state'], string> = {
  Empty: 'No live member',
  Assigning: 'A member joined or left; the target assignment is being recomputed',
  Reconciling: 'Partitions are moving to their target owners',
  Stable: 'Every live member holds exactly its target',
  Dead: 'Deleted',
};

export function GroupState({ state }: { state: GroupListing['state'] }) {
  return (
    <span class={`badge ${state}`} title={GROUP_STATE_HELP[state]}>
      {state}
    </span>
  );
}

/** A subscription's state (docs/subscriptions.md), shown on hover. */
const SUBSCRIPTION_STATE_HELP: Record<SubscriptionDescription['state'], string> = {
  ACTIVE: 'Delivering records as they are produced',
  PAUSED: 'Delivery stopped before the next batch; records wait in the topic until it is resumed',
};

export function SubscriptionState({ state }: { state: SubscriptionDescription['state'] }) {
  return (
    <span class={`badge ${state}`} title={SUBSCRIPTION_STATE_HELP[state]}>
      {state}
    </span>
  );
}
