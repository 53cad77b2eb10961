import { useCallback, useRef, useState } from 'react';
import type { components, ParleyClient } from '@parley/client';
import { ApiError, describeError, ok } from './api-result';
import { newDraftKey } from './use-draft';
// The paperclip, chips and previews look the same in the console and the widget.
import './attachments.css';

/** An attachment as a message carries it; `url` downloads it for a few minutes. */
export type Attachment = components['schemas']['AttachmentItem'];

/** A file chosen in a composer: uploading, ready to go with the message, or refused with a reason. */
export interface PendingUpload {
  key: string;
  name: string;
  size: number;
  state: 'uploading' | 'ready' | 'failed';
  attachment?: Attachment;
  error?: string;
}

/** What the file picker offers; the gateway checks the bytes whatever the picker let through. */
export const ATTACHMENT_ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,.txt';
const RETRIES = 3;

export const isImage = (contentType: string) => contentType.startsWith('image/');

/** "48 KB", "1.2 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Uploads a file into a conversation. Each file has its own Idempotency-Key, so a retry after a
 * network error or a 5xx (up to three, a second apart and growing) returns the same attachment
 * instead of storing it twice; a 4xx (a refused type, a file too large) is not retried.
 */
async function upload(
  api: ParleyClient,
  conversationId: string,
  file: File,
  key: string,
): Promise<Attachment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return ok(
        await api.POST('/v1/conversations/{id}/attachments', {
          params: {
            path: { id: conversationId },
            query: { name: file.name },
            header: { 'idempotency-key': key },
          },
          // The file itself is the body, sent as the browser reads it.
          body: file as unknown as string,
          bodySerializer: (body: unknown) => body as BodyInit,
          headers: { 'content-type': file.type || 'application/octet-stream' },
        }),
      );
    } catch (failure) {
      const retriable = !(failure instanceof ApiError) || failure.status >= 500;
      if (!retriable || attempt >= RETRIES) throw failure;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

/**
 * A composer's attachments: `add` uploads the chosen files at once (while the text is written),
 * `ids` are those ready to reference in the message, `clear` empties the list once it is sent.
 */
export function useAttachments(api: ParleyClient, conversationId: string | undefined, max = 5) {
  const [uploads, setUploads] = useState<PendingUpload[]>([]);
  const current = useRef(uploads);
  current.current = uploads;

  const update = (key: string, change: Partial<PendingUpload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const add = useCallback(
    (files: Iterable<File>) => {
      if (!conversationId) return;
      const room = max - current.current.filter((u) => u.state !== 'failed').length;
      for (const file of [...files].slice(0, Math.max(room, 0))) {
        const key = newDraftKey();
        setUploads((list) => [...list, { key, name: file.name, size: file.size, state: 'uploading' }]);
        upload(api, conversationId, file, key).then(
          (attachment) => update(key, { state: 'ready', attachment }),
          (failure) => update(key, { state: 'failed', error: describeError(failure) }),
        );
      }
    },
    [api, conversationId, max],
  );

  const remove = (key: string) => setUploads((list) => list.filter((u) => u.key !== key));
  const clear = () => setUploads([]);
  const ids = uploads.flatMap((u) => (u.state === 'ready' && u.attachment ? [u.attachment.id] : []));
  const busy = uploads.some((u) => u.state === 'uploading');
  return { uploads, add, remove, clear, ids, busy, full: uploads.length >= max };
}

/** The paperclip: opens the file picker. */
export function AttachButton({
  onFiles,
  disabled,
}: {
  onFiles: (files: File[]) => void;
  disabled?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="attach-button"
        aria-label="Attach files"
        title="Attach images, PDF or text (up to 10 MB each)"
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        📎
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={ATTACHMENT_ACCEPT}
        data-testid="attach-input"
        onChange={(event) => {
          onFiles([...(event.target.files ?? [])]);
          event.target.value = '';
        }}
      />
    </>
  );
}

/** The files chosen in a composer, each with its state, removable before sending. */
export function UploadChips({
  uploads,
  onRemove,
}: {
  uploads: PendingUpload[];
  onRemove: (key: string) => void;
}) {
  if (!uploads.length) return null;
  return (
    <ul className="upload-chips" aria-label="Attachments">
      {uploads.map((u) => (
        <li key={u.key} className={`file-chip ${u.state}`}>
          <span className="file-name">{u.name}</span>
          <span className="file-size">
            {u.state === 'uploading' ? 'Uploading…' : u.state === 'failed' ? u.error : fileSize(u.size)}
          </span>
          <button
            type="button"
            className="link"
            aria-label={`Remove ${u.name}`}
            onClick={() => onRemove(u.key)}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * A message's attachments: images as previews (a click opens them), other files as chips to
 * download, and those its site's retention deleted as chips that say so.
 */
export function MessageAttachments({ attachments }: { attachments?: Attachment[] }) {
  if (!attachments?.length) return null;
  return (
    <ul className="message-attachments" aria-label="Attachments">
      {attachments.map((a) =>
        a.expiredAt ? (
          <li
            key={a.id}
            className="file-chip expired"
            title="Deleted: this site keeps files for a limited time"
          >
            <span className="file-name">{a.name}</span>
            <span className="file-size">Expired</span>
          </li>
        ) : isImage(a.contentType) && a.url ? (
          <li key={a.id} className="attachment-preview">
            <a href={a.url} target="_blank" rel="noreferrer">
              <img src={a.url} alt={a.name} loading="lazy" />
            </a>
          </li>
        ) : (
          <li key={a.id} className="file-chip">
            {a.url ? (
              <a href={a.url} download={a.name} className="file-name">
                {a.name}
              </a>
            ) : (
              <span className="file-name">{a.name}</span>
            )}
            <span className="file-size">{fileSize(a.size)}</span>
          </li>
        ),
      )}
    </ul>
  );
}
