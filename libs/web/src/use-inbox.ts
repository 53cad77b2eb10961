import { useEffect, useRef, useState } from 'react';
import {
  followInbox,
  type InboxEvent,
  type InboxStreamState,
  type ParleyClient,
  type TypingEvent,
} from '@parley/client';

const ACK_DELAY_MS = 1_000;

export interface InboxOptions {
  api: ParleyClient;
  token: string;
  /** Where the last cursor is kept (localStorage), so coming back resumes instead of replaying. */
  cursorKey: string;
  onEvent: (event: InboxEvent) => void;
  /** Someone on the other side is typing (ephemeral: only while the stream is live). */
  onTyping?: (typing: TypingEvent) => void;
  onUnauthorized?: () => void;
}

/**
 * The principal's inbox, live: streamed over SSE, resumed from the last cursor after a drop or a
 * return, each event handed on once, and acknowledged (which marks messages delivered) shortly after.
 * Answers the connection state, for a "Reconnecting…" indicator.
 */
export function useInbox({
  api,
  token,
  cursorKey,
  onEvent,
  onTyping,
  onUnauthorized,
}: InboxOptions): InboxStreamState {
  const [state, setState] = useState<InboxStreamState>('connecting');
  // The latest callbacks, without restarting the stream whenever the caller re-renders.
  const handlers = useRef({ onEvent, onTyping, onUnauthorized });
  handlers.current = { onEvent, onTyping, onUnauthorized };

  useEffect(() => {
    let ackTimer: ReturnType<typeof setTimeout> | undefined;
    let acked: string | null = null;
    const ack = () => {
      const cursor = stream.cursor;
      if (!cursor || cursor === acked) return;
      acked = cursor;
      // Best effort: the next event acknowledges everything before it anyway.
      void api.POST('/v1/inbox/ack', { body: { cursor } }).catch(() => undefined);
    };
    const stream = followInbox({
      baseUrl: window.location.origin,
      token,
      cursor: localStorage.getItem(cursorKey),
      onState: setState,
      onUnauthorized: () => handlers.current.onUnauthorized?.(),
      onTyping: (typing) => handlers.current.onTyping?.(typing),
      onEvent: (event) => {
        localStorage.setItem(cursorKey, event.cursor);
        handlers.current.onEvent(event);
        clearTimeout(ackTimer);
        ackTimer = setTimeout(ack, ACK_DELAY_MS);
      },
    });
    // The browser knows before any timeout when the network goes and comes back: a stream open
    // across a drop may hang silently, so drop it at once, and resume the moment it is back.
    const reconnect = () => stream.reconnectNow();
    window.addEventListener('offline', reconnect);
    window.addEventListener('online', reconnect);
    return () => {
      window.removeEventListener('offline', reconnect);
      window.removeEventListener('online', reconnect);
      clearTimeout(ackTimer);
      stream.close();
    };
  }, [api, token, cursorKey]);

  return state;
}
