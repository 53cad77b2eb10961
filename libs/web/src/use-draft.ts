import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { describeError } from './api-result';

/**
 * A composer's draft: its text, and one Idempotency-Key per draft, so sending it again after a
 * network error never posts it twice. `send` gets the trimmed text and the key; on success the
 * draft is cleared and gets a new key, on failure the reason is kept in `error`. Enter sends,
 * Shift+Enter (or an input method composing) starts a new line.
 */
export function useDraft(send: (text: string, idempotencyKey: string) => Promise<void>) {
  const [body, setBody] = useState('');
  const [draftKey, setDraftKey] = useState(() => crypto.randomUUID());
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = body.trim();
    if (!text || sending) return;
    setSending(true);
    try {
      await send(text, draftKey);
      setBody('');
      setDraftKey(crypto.randomUUID());
      setError(null);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setSending(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) void submit(event);
  }

  return { body, setBody, sending, error, submit, onKeyDown };
}
