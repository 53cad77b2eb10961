import { EventTypes } from './events';
import { CommandSubjects, eventSubject, WEBHOOK_DELIVERY_SUBJECT } from './subjects';

const KNOWN = new Set<string>([
  ...Object.values(CommandSubjects),
  ...Object.values(EventTypes).map(eventSubject),
  WEBHOOK_DELIVERY_SUBJECT,
]);

/**
 * Whether this build knows a (partition-free) subject. A message on a subject it does not know
 * comes from a newer build during a rolling upgrade: it waits for a process that can handle it.
 */
export function isKnownSubject(subject: string): boolean {
  return KNOWN.has(subject);
}
