import { DEAD_LETTER_SUBJECT_PREFIX } from '@parley/contracts';

/** Headers a dead letter carries besides the original ones: why, and where it came from. */
export const DeadLetterHeaders = {
  reason: 'Parley-Dead-Letter-Reason',
  stream: 'Parley-Original-Stream',
  subject: 'Parley-Original-Subject',
  sequence: 'Parley-Original-Sequence',
  consumer: 'Parley-Original-Consumer',
  deliveries: 'Parley-Deliveries',
} as const;

export function deadLetterSubject(durable: string): string {
  return `${DEAD_LETTER_SUBJECT_PREFIX}.${durable}`;
}
