import { useId, useState } from 'react';
import type { ParleyClient } from '@parley/client';
import { ok, useAttachments, useDraft, type Message } from '@parley/web';
import { ComposerAttachments } from './composer-attachments';
import { fillPlaceholders, type ReplyContext } from './reply-placeholders';
import { useSavedReplyPicker } from './saved-replies';

export type ComposerMode = 'message' | 'note';

interface Props {
  api: ParleyClient;
  conversationId: string;
  /** What a saved reply's placeholders are filled with. */
  replyContext: ReplyContext;
  onSent: (id: string, body: string, mode: ComposerMode, attachments?: Message['attachments']) => void;
}

/**
 * Replies go to the customer; notes stay among agents. Enter sends, Shift+Enter starts a new line.
 * Each draft carries its own Idempotency-Key, so sending it again after a network error never
 * posts it twice. `/` at the start opens the saved replies; choosing one fills the draft with it.
 */
export function Composer({ api, conversationId, replyContext, onSent }: Props) {
  const [mode, setMode] = useState<ComposerMode>('message');
  const files = useAttachments(api, conversationId);
  const { body, setBody, sending, error, submit, onKeyDown } = useDraft(async (text, idempotencyKey) => {
    const options = {
      params: { path: { id: conversationId }, header: { 'idempotency-key': idempotencyKey } },
      body: { body: text },
    };
    const attached = files.uploads.flatMap((u) =>
      u.state === 'ready' && u.attachment ? [u.attachment] : [],
    );
    const { id } = ok(
      mode === 'note'
        ? await api.POST('/v1/conversations/{id}/notes', options)
        : await api.POST('/v1/conversations/{id}/messages', {
            ...options,
            body: { body: text, ...(attached.length && { attachments: attached.map((a) => a.id) }) },
          }),
    );
    if (mode === 'message') files.clear();
    onSent(id, text, mode, mode === 'message' ? attached : []);
  });
  const fieldId = useId();
  const picker = useSavedReplyPicker(api, body, (reply) =>
    setBody(fillPlaceholders(reply.body, replyContext)),
  );

  return (
    <form className={`composer composer-${mode}`} onSubmit={submit}>
      <fieldset className="composer-mode">
        <legend className="visually-hidden">Write</legend>
        <label>
          <input
            type="radio"
            name={`${fieldId}-mode`}
            checked={mode === 'message'}
            onChange={() => setMode('message')}
          />
          <span>Reply</span>
        </label>
        <label>
          <input
            type="radio"
            name={`${fieldId}-mode`}
            checked={mode === 'note'}
            onChange={() => setMode('note')}
          />
          <span>Private note</span>
        </label>
      </fieldset>
      <label htmlFor={fieldId} className="visually-hidden">
        {mode === 'note' ? 'Private note, seen by agents only' : 'Reply to the customer'}
      </label>
      <textarea
        id={fieldId}
        rows={3}
        maxLength={10_000}
        value={body}
        onChange={(event) => setBody(event.target.value)}
        onKeyDown={(event) => picker.onKeyDown(event) || onKeyDown(event)}
        aria-autocomplete="list"
        aria-expanded={picker.open}
        aria-controls={picker.open ? picker.listId : undefined}
        placeholder={
          mode === 'note'
            ? 'Only agents see notes'
            : 'Write a reply… (Enter sends, Shift+Enter new line, / for saved replies)'
        }
      />
      {picker.list}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ComposerAttachments files={files} disabled={mode === 'note'} />
      <button
        type="submit"
        className="primary"
        disabled={sending || (mode === 'message' && files.busy) || !body.trim()}
      >
        {mode === 'note' ? 'Add note' : 'Send'}
      </button>
    </form>
  );
}
