/**
 * KafkaJS's logger and instrumentation events, and the fetch wrapper that
 * turns the SDK's HTTP requests into REQUEST events (and, for consumers,
 * FETCH_START/FETCH/HEARTBEAT). The wrapper only looks at method, path,
 * status and timing: it never reads a body, so it costs nothing per record.
 */
import { KafkaJSNonRetriableError } from './errors';
import type { InstrumentationEvent, LogEntry, logCreator, Logger, RemoveInstrumentationEventListener, RequestPayload } from './types';

/** KafkaJS's log levels (a plain object rather than a TypeScript enum, so KafkaJS's enum values fit too). */
export const logLevel = { NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const;
export type logLevel = (typeof logLevel)[keyof typeof logLevel];

/** KafkaJS's default: one JSON line per entry on the console. */
const consoleLogCreator: logCreator =
  () =>
  ({ namespace, level, label, log }: LogEntry) => {
    const prefix = namespace === '' ? '' : `[${namespace}] `;
    const line = JSON.stringify({ level: label, ...log, message: `${prefix}${log.message}` });
    if (level === logLevel.ERROR) console.error(line);
    else if (level === logLevel.WARN) console.warn(line);
    else if (level === logLevel.INFO) console.info(line);
    else console.log(line);
  };

export function createLogger(level: number = logLevel.INFO, creator: logCreator = consoleLogCreator): Logger {
  let rootLevel = level;
  const write = creator(level);
  const make = (namespace: string, ownLevel: number | undefined): Logger => {
    const at =
      (label: string, entryLevel: number) =>
      (message: string, extra: object = {}): void => {
        if (entryLevel > (ownLevel ?? rootLevel)) return;
        write({ namespace, level: entryLevel, label, log: { timestamp: new Date().toISOString(), logger: 'kafkajs', message, ...extra } });
      };
    return {
      error: at('ERROR', logLevel.ERROR),
      warn: at('WARN', logLevel.WARN),
      info: at('INFO', logLevel.INFO),
      debug: at('DEBUG', logLevel.DEBUG),
      namespace: (name, nsLevel) => make(name, nsLevel),
      setLogLevel: (newLevel) => {
        rootLevel = newLevel;
      },
    };
  };
  return make('', undefined);
}

type Listener<T> = (event: InstrumentationEvent<T>) => void | Promise<void>;

/**
 * Listeners per event name, as KafkaJS's emitter: an unknown name throws,
 * a listener's error (or rejection) is logged and never reaches the client.
 */
export class Instrumentation<Payloads extends object> {
  private readonly listeners = new Map<keyof Payloads, Set<Listener<never>>>();
  private nextId = 0;

  constructor(
    private readonly names: Readonly<Record<string, keyof Payloads & string>>,
    private readonly logger: Logger,
  ) {}

  on<K extends keyof Payloads & string>(eventName: K, listener: (event: InstrumentationEvent<Payloads[K]>) => void): RemoveInstrumentationEventListener<K> {
    const valid = Object.values(this.names);
    if (!valid.includes(eventName)) throw new KafkaJSNonRetriableError(`Event name should be one of ${valid.join(', ')}`);
    let set = this.listeners.get(eventName);
    if (set === undefined) this.listeners.set(eventName, (set = new Set()));
    const entry = listener as Listener<never>;
    set.add(entry);
    return () => void set.delete(entry);
  }

  emit<K extends keyof Payloads & string>(eventName: K, payload: Payloads[K]): void {
    const set = this.listeners.get(eventName);
    if (set === undefined || set.size === 0) return;
    const event: InstrumentationEvent<Payloads[K]> = { id: String(this.nextId++), type: eventName, timestamp: Date.now(), payload };
    for (const listener of set) {
      const failed = (e: unknown) => this.logger.error(`Failed to execute listener: ${e instanceof Error ? e.message : String(e)}`, { eventName });
      try {
        void Promise.resolve((listener as Listener<Payloads[K]>)(event)).catch(failed);
      } catch (e) {
        failed(e);
      }
    }
  }
}

export interface ObservedRequest {
  method: string;
  path: string;
  /** The request body, when the SDK sent one (always a JSON text). */
  body: string | undefined;
}

export interface RequestObserver {
  /** Before the request goes out. */
  started?(request: ObservedRequest): void;
  /** After an answer (any status) or a failure (status undefined). */
  finished?(request: ObservedRequest, status: number | undefined): void;
}

/** A fetch that emits REQUEST for every exchange and tells the observer about each one. */
export function instrumentedFetch(
  base: typeof globalThis.fetch,
  emitRequest: (payload: RequestPayload) => void,
  context: { broker: string; clientId: string },
  observer: RequestObserver = {},
): typeof globalThis.fetch {
  let correlationId = 0;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const request: ObservedRequest = { method: init?.method ?? 'GET', path: url.pathname, body };
    const createdAt = Date.now();
    observer.started?.(request);
    let status: number | undefined;
    try {
      const response = await base(input, init);
      status = response.status;
      return response;
    } finally {
      observer.finished?.(request, status);
      emitRequest({
        apiKey: -1,
        apiName: `${request.method} ${request.path}`,
        apiVersion: 1,
        broker: context.broker,
        clientId: context.clientId,
        correlationId: correlationId++,
        createdAt,
        sentAt: createdAt,
        pendingDuration: 0,
        duration: Date.now() - createdAt,
        size: body?.length ?? 0,
      });
    }
  };
}
