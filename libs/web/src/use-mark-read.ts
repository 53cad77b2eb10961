import { useEffect, useRef } from 'react';
import type { ParleyClient } from '@parley/client';
import type { Message } from './messages';

/**
 * What is on screen counts as read: the conversation is marked read up to its last stored message
 * whenever that grows while the page is visible, and again when the page becomes visible.
 * `waitSeconds` asks the gateway to answer once it is applied (`Prefer: wait`, ignored by a gateway
 * that cannot honour it); `onMarked` runs after the answer.
 */
export function useMarkRead(
  api: ParleyClient,
  conversationId: string | undefined,
  messages: Message[],
  { waitSeconds, onMarked }: { waitSeconds?: number; onMarked?: () => void } = {},
): void {
  const readSent = useRef(0);
  useEffect(() => {
    if (!conversationId) return;
    const markRead = () => {
      const last = messages.reduce((max, m) => (m.pending ? max : Math.max(max, m.seq)), 0);
      if (last <= readSent.current || document.visibilityState !== 'visible') return;
      readSent.current = last;
      void api
        .POST('/v1/conversations/{id}/read', {
          params: { path: { id: conversationId } },
          body: { seq: last },
          headers: waitSeconds ? { prefer: `wait=${waitSeconds}` } : undefined,
        })
        .then(
          () => onMarked?.(),
          () => (readSent.current = 0),
        );
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [api, conversationId, messages, waitSeconds, onMarked]);
}
