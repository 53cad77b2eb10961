import { smtpReplyCode } from './mail-channel';

export type FailedSend =
  { outcome: 'in_doubt' } | { outcome: 'failed' } | { outcome: 'retried'; delaySeconds: number };

/**
 * What a failed send leaves an email as (docs/adr/0011-mail-at-most-once.md). A reply code proves
 * the server did not take the message, whenever it came; without one, a failure after the hand-over
 * may have come after the server took it: in doubt, never resent. Otherwise a 5xx, or the end of
 * the schedule, fails it, and anything else is retried after the schedule's entry for `attempts`.
 */
export function afterSendFailure(
  error: unknown,
  handedOver: boolean,
  attempts: number,
  schedule: number[],
): FailedSend {
  const code = smtpReplyCode(error);
  if (handedOver && code === undefined) return { outcome: 'in_doubt' };
  const delaySeconds = schedule[attempts - 1];
  if ((code !== undefined && code >= 500) || delaySeconds === undefined) return { outcome: 'failed' };
  return { outcome: 'retried', delaySeconds };
}
