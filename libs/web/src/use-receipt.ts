import { useEffect, useState } from 'react';
import type { ParleyClient } from '@parley/client';
import type { Message } from './messages';

export type ReceiptState = 'sending' | 'sent' | 'delivered' | 'read';

const FIRST_CHECK_MS = 2_000;
const SLOWEST_CHECK_MS = 30_000;

/**
 * How far the other side got with `message`: sent, delivered (their inbox acknowledged it) or
 * read. Reads arrive live as `receipt.read` events (pass the highest seq they name as `readUpTo`);
 * deliveries reach no inbox of the author's, so the message's receipts are looked up, less and
 * less often, until it is read.
 */
export function useReceipt(
  api: ParleyClient,
  message: Message | undefined,
  readUpTo: number,
): ReceiptState | null {
  const [looked, setLooked] = useState<{ id: string; state: ReceiptState }>();
  const id = message && !message.pending ? message.id : undefined;
  const alreadyRead = !!message && !message.pending && readUpTo >= message.seq;

  useEffect(() => {
    if (!id || alreadyRead) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = FIRST_CHECK_MS;
    const check = async () => {
      try {
        const { data } = await api.GET('/v1/messages/{id}', { params: { path: { id } } });
        const receipts = data?.receipts ?? [];
        const state: ReceiptState = receipts.some((r) => r.readAt)
          ? 'read'
          : receipts.some((r) => r.deliveredAt)
            ? 'delivered'
            : 'sent';
        if (stopped) return;
        setLooked({ id, state });
        if (state === 'read') return;
      } catch {
        // Offline for a moment: the next look will tell.
      }
      if (stopped) return;
      timer = setTimeout(check, delay);
      delay = Math.min(delay * 2, SLOWEST_CHECK_MS);
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, id, alreadyRead]);

  if (!message) return null;
  if (message.pending) return 'sending';
  if (alreadyRead) return 'read';
  return looked?.id === message.id ? looked.state : 'sent';
}
