import type { components } from './schema';

export type InboxEvent = components['schemas']['InboxEvent'];

/** Someone on the other side of a conversation is typing (`event: typing`): ephemeral, no cursor. */
export interface TypingEvent {
  conversationId: string;
  authorId: string;
  authorRole: 'customer' | 'agent';
  at: string;
}

/** `live` once the stream answered; `reconnecting` between a drop and the next answer. */
export type InboxStreamState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface InboxStreamOptions {
  /** The gateway, e.g. `http://localhost:3000` or `window.location.origin`. */
  baseUrl: string;
  token: string;
  /** Resume after this cursor; without it the stream starts at the beginning of the inbox. */
  cursor?: string | null;
  /** Called once per event, in cursor order, never twice for the same event id. */
  onEvent: (event: InboxEvent) => void;
  /** Called for each typing signal while the stream is live; never replayed after a drop. */
  onTyping?: (typing: TypingEvent) => void;
  onState?: (state: InboxStreamState) => void;
  /** The token was refused (401/403): reconnecting cannot help, so the stream stops. */
  onUnauthorized?: (status: number) => void;
  /** First delay after a drop; it doubles (with jitter) up to `maxDelayMs` and resets once live. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** No byte for this long (the gateway sends a comment every 15 s) counts as a drop. */
  silenceMs?: number;
  fetch?: typeof fetch;
}

export interface InboxStream {
  /** The cursor of the last event handed to `onEvent`: where a later stream resumes. */
  readonly cursor: string | null;
  /** Drops any wait and reconnects now, e.g. when the browser reports it is back online. */
  reconnectNow(): void;
  close(): void;
}

/** Events remembered for de-duplication; a resumed stream repeats at most what was in flight. */
const REMEMBERED_EVENTS = 2_000;

/**
 * Follows `GET /v1/inbox/stream` with fetch rather than EventSource, which cannot send an
 * Authorization header. After any drop it reconnects with backoff and `Last-Event-ID`, so events
 * missed meanwhile arrive in order; an event seen before (by id) is never handed on twice.
 */
export function followInbox(options: InboxStreamOptions): InboxStream {
  const initialDelay = options.initialDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 15_000;
  const silenceMs = options.silenceMs ?? 40_000;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const seen = new Set<string>();
  let cursor = options.cursor ?? null;
  let closed = false;
  let attempt: AbortController | null = null;
  let wakeUp: (() => void) | null = null;

  const setState = (state: InboxStreamState) => options.onState?.(state);

  const deliver = (raw: string, type: string) => {
    if (type === 'typing') {
      options.onTyping?.(JSON.parse(raw) as TypingEvent);
      return;
    }
    const event = JSON.parse(raw) as InboxEvent;
    cursor = event.cursor;
    if (seen.has(event.id)) return;
    seen.add(event.id);
    if (seen.size > REMEMBERED_EVENTS) seen.delete(seen.values().next().value as string);
    options.onEvent(event);
  };

  /** Reads one connection until it ends; true when it was answered (so backoff starts over). */
  const connect = async (signal: AbortSignal): Promise<{ answered: boolean; retryMs?: number }> => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token}`,
      accept: 'text/event-stream',
    };
    if (cursor) headers['last-event-id'] = cursor;
    const response = await doFetch(`${options.baseUrl}/v1/inbox/stream`, { headers, signal });
    if (response.status === 401 || response.status === 403) {
      closed = true;
      options.onUnauthorized?.(response.status);
      return { answered: true };
    }
    if (!response.ok || !response.body) {
      const retryAfter = Number(response.headers.get('retry-after'));
      return { answered: false, retryMs: retryAfter > 0 ? retryAfter * 1000 : undefined };
    }
    setState('live');
    const parser = new SseParser(deliver);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let watchdog = setTimeout(() => attempt?.abort(), silenceMs);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        clearTimeout(watchdog);
        watchdog = setTimeout(() => attempt?.abort(), silenceMs);
        parser.push(decoder.decode(value, { stream: true }));
      }
    } finally {
      clearTimeout(watchdog);
    }
    return { answered: true, retryMs: parser.retryMs };
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  const run = async () => {
    let delay = initialDelay;
    setState('connecting');
    while (!closed) {
      attempt = new AbortController();
      let retryMs: number | undefined;
      try {
        const outcome = await connect(attempt.signal);
        if (outcome.answered) delay = initialDelay;
        retryMs = outcome.retryMs;
      } catch {
        // A network error or an abort: the same as a drop, resume from the cursor.
      }
      if (closed) break;
      setState('reconnecting');
      const jittered = Math.max(retryMs ?? 0, delay) * (0.75 + Math.random() * 0.5);
      await sleep(jittered);
      delay = Math.min(delay * 2, maxDelay);
    }
    setState('closed');
  };
  void run();

  return {
    get cursor() {
      return cursor;
    },
    reconnectNow() {
      attempt?.abort();
      wakeUp?.();
    },
    close() {
      closed = true;
      attempt?.abort();
      wakeUp?.();
    },
  };
}

/** The Server-Sent Events wire format (WHATWG HTML, server-sent events), as much as the inbox uses. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private type = '';
  /** The server's `retry:` advice in milliseconds, if it gave one. */
  retryMs: number | undefined;

  /** `onData` gets each event's data and its `event:` type (`message` when it names none). */
  constructor(private readonly onData: (data: string, type: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      // A lone trailing CR may be the first half of a CRLF split across chunks.
      if (end < 0 || (end === this.buffer.length - 1 && this.buffer[end] === '\r')) return;
      const line = this.buffer.slice(0, end);
      const newline = this.buffer.startsWith('\r\n', end) ? 2 : 1;
      this.buffer = this.buffer.slice(end + newline);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onData(this.data.join('\n'), this.type || 'message');
      this.data = [];
      this.type = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    // `id:` is the event's cursor, which the event's own JSON carries too; `event:` its type, likewise,
    // but a typing signal is told apart by it alone.
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}
