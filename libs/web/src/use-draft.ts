import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { describeError } from './api-result';

/**
 * Random enough to never repeat, from crypto.getRandomValues: crypto.randomUUID exists only in a
 * secure context (https or localhost), and the apps are also opened over plain HTTP on a LAN.
 */
export function newDraftKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

/**
 * A composer's draft: its text, and one Idempotency-Key per draft, so sending it again after a
 * network error never posts it twice. `send` gets the trimmed text and the key; on success the
 * draft is cleared and gets a new key, on failure the reason is kept in `error`. Enter sends,
 * Shift+Enter (or an input method composing) starts a new line.
 */
export function useDraft(send: (text: string, idempotencyKey: string) => Promise<void>) {
  const [body, setBody] = useState('');
  const [draftKey, setDraftKey] = useState(() => newDraftKey());
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
      setDraftKey(newDraftKey());
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
