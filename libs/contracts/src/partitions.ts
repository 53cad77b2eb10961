import { COMMAND_SUBJECT_PREFIX, EVENT_SUBJECT_PREFIX } from './subjects';

/**
 * Commands and events are partitioned by what they are about, so that one process at a time
 * applies everything about one conversation (or agent, customer, webhook) in stream order. The
 * publisher computes the partition, which works on nats-server 2.9. The hash is the FNV-1a 32 of
 * the server's `{{partition(n, …)}}` mapping, but the key is a payload field: a server-side
 * transform could produce the same partitions only once the key is a subject token too. See
 * docs/adr/0007-partitioned-consumers.md.
 */

/** Partitions per stream when `PARLEY_PARTITIONS` is not set. Fixed for the life of a deployment. */
export const DEFAULT_PARTITIONS = 16;

/** Streams whose subjects carry a partition token right after their root (`parley.cmd.<p>.…`). */
const PARTITIONED_ROOTS = [`${COMMAND_SUBJECT_PREFIX}.`, `${EVENT_SUBJECT_PREFIX}.`];

export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function partitionOf(key: string, partitions: number): number {
  return fnv1a32(key) % partitions;
}

function rootOf(subject: string): string | undefined {
  return PARTITIONED_ROOTS.find((root) => subject.startsWith(root));
}

/** `parley.cmd.conversation.open` in partition 7 is `parley.cmd.7.conversation.open`. */
export function partitionedSubject(subject: string, partition: number): string {
  const root = rootOf(subject);
  if (!root) return subject;
  return `${root}${partition}.${subject.slice(root.length)}`;
}

/** The partition a subject carries, or undefined when it carries none. */
export function partitionOfSubject(subject: string): number | undefined {
  const root = rootOf(subject);
  if (!root) return undefined;
  const token = /^(\d+)\./.exec(subject.slice(root.length));
  return token ? Number(token[1]) : undefined;
}

/** The subject as handlers name it: without its partition token. */
export function unpartitionedSubject(subject: string): string {
  const root = rootOf(subject);
  if (!root) return subject;
  return root + subject.slice(root.length).replace(/^\d+\./, '');
}

/** A wildcard over every partition of a subject (`parley.evt.*.message.created`), for core NATS listeners. */
export function anyPartitionSubject(subject: string): string {
  const root = rootOf(subject);
  return root ? `${root}*.${subject.slice(root.length)}` : subject;
}

/**
 * What a command or event is about: its conversation, else the agent, customer, principal or
 * webhook it concerns. Everything about one of these lands in one partition.
 */
export function partitionKey(payload: unknown): string {
  const p = (payload ?? {}) as Record<string, unknown>;
  const data = (typeof p.data === 'object' && p.data !== null ? p.data : {}) as Record<string, unknown>;
  const candidates = [
    p.conversationId,
    p.agentId,
    p.customerId,
    p.principalId,
    p.webhookId,
    data.agentId,
    data.customerId,
    data.recipientId,
    p.id,
  ];
  const key = candidates.find((c): c is string => typeof c === 'string' && c !== '');
  return key ?? '';
}

/** The subject to publish a command or event on: in the partition of what its payload is about. */
export function subjectFor(subject: string, payload: unknown, partitions: number): string {
  return partitionedSubject(subject, partitionOf(partitionKey(payload), partitions));
}
