import { useCallback, useEffect, useRef, useState } from 'react';
import type { ParleyClient, TypingEvent } from '@parley/client';

/** The gateway passes on one signal per 2 s; sending more often only costs requests. */
const SIGNAL_EVERY_MS = 2_000;
/** "… is typing" stays this long after the last signal: a little over two signals' gap. */
export const TYPING_SHOWN_MS = 5_000;

/**
 * What to call on each keystroke of a draft: tells the other side the caller is typing in
 * `conversationId` (`POST /v1/conversations/{id}/typing`), at most once per 2 s, best effort.
 */
export function useTypingSignal(api: ParleyClient, conversationId: string | undefined): () => void {
  const last = useRef(0);
  return useCallback(() => {
    if (!conversationId || Date.now() - last.current < SIGNAL_EVERY_MS) return;
    last.current = Date.now();
    void api
      .POST('/v1/conversations/{id}/typing', { params: { path: { id: conversationId } } })
      .catch(() => undefined);
  }, [api, conversationId]);
}

/**
 * Who is typing, per conversation, from the inbox stream's typing signals: `onTyping` takes them,
 * `typingIn(id)` answers the latest for that conversation until `TYPING_SHOWN_MS` after it came,
 * and a message from the same author ends it (`stoppedTyping`).
 */
export function useTypingShown(): {
  onTyping: (typing: TypingEvent) => void;
  stoppedTyping: (conversationId: string, authorId: string) => void;
  typingIn: (conversationId: string | undefined) => TypingEvent | null;
} {
  const [shown, setShown] = useState<Record<string, TypingEvent>>({});
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const stoppedTyping = useCallback((conversationId: string, authorId: string) => {
    setShown((current) => {
      if (current[conversationId]?.authorId !== authorId) return current;
      const { [conversationId]: _, ...rest } = current;
      return rest;
    });
  }, []);

  const onTyping = useCallback(
    (typing: TypingEvent) => {
      setShown((current) => ({ ...current, [typing.conversationId]: typing }));
      clearTimeout(timers.current.get(typing.conversationId));
      timers.current.set(
        typing.conversationId,
        setTimeout(() => stoppedTyping(typing.conversationId, typing.authorId), TYPING_SHOWN_MS),
      );
    },
    [stoppedTyping],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((timer) => clearTimeout(timer));
  }, []);

  const typingIn = useCallback(
    (conversationId: string | undefined) => (conversationId && shown[conversationId]) || null,
    [shown],
  );
  return { onTyping, stoppedTyping, typingIn };
}
