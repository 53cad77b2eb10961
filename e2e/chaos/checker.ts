import { Client } from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { StreamNames } from '@parley/contracts';
import { backlogOf, ParleySystem, waitFor } from '@parley/testing';
import { Actor, answer, clientOf, wholeInbox } from '../support/actors';
import { evidenceFor } from './evidence';
import { Participant, Workload } from './workload';

export interface Accounting {
  requests: number;
  accepted: number;
  stored: number;
  rejected: number;
  /** Accepted (202) but neither stored nor rejected. Must be 0. */
  lost: number;
  /** Stored more than once. Must be 0. */
  duplicated: number;
  /** Stored though never sent. Must be 0. */
  unexpected: number;
  /** Answered 503 or not at all, yet stored: allowed (the broker may have stored it before the answer was lost). */
  recovered: number;
  /** Conversations whose seq is not exactly 1..N. Must be 0. */
  seqGaps: number;
  /** Each inbox missing, repeating or reordering an event, and how. Must be empty. */
  inboxProblems: string[];
  /** Messages in the dead-letter stream. Only poison may put any there. */
  deadLetters: number;
  /** For each lost or doubled message, what the streams and the database hold of it. */
  evidence: string[];
}

const DURABLES: Array<[string, string]> = [
  ['PARLEY_COMMANDS', 'conversation'],
  ['PARLEY_COMMANDS', 'history-commands'],
  ['PARLEY_COMMANDS', 'delivery-commands'],
  ['PARLEY_EVENTS', 'history'],
  ['PARLEY_EVENTS', 'delivery'],
];

/** Everything accepted has been handled: no consumer has pending or unacked messages, outboxes are empty. */
async function quiesce(system: ParleySystem): Promise<void> {
  const nc = await connect({ servers: system.nats.url.split(',') });
  const db = new Client({ connectionString: system.database.url });
  await db.connect();
  try {
    let calm = 0;
    await waitFor(
      'the system to settle',
      async () => {
        // Asked anew each time: a cluster may still be electing leaders after a node came back.
        const jsm = await jetstreamManager(nc, { timeout: 2_000 });
        let busy = 0;
        for (const [stream, durable] of DURABLES) {
          const backlog = await backlogOf(jsm, stream, durable);
          busy += backlog.pending + backlog.ackPending;
        }
        const [{ count }] = (
          await db.query(
            'SELECT (SELECT count(*) FROM conversation.outbox) + (SELECT count(*) FROM delivery.outbox) AS count',
          )
        ).rows;
        calm = busy === 0 && Number(count) === 0 ? calm + 1 : 0;
        return calm >= 3;
      },
      120_000,
      500,
    );
  } finally {
    await db.end();
    await nc.close();
  }
}

async function history(system: ParleySystem, agent: Actor, conversationId: string) {
  const items: Array<{ id: string; seq: number; body: string; type: string }> = [];
  const api = clientOf(system, agent);
  for (let after = 0; ;) {
    const res = await answer(
      api.GET('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId }, query: { after, limit: 200 } },
      }),
    );
    if (res.status !== 200) throw new Error(`history of ${conversationId}: ${res.status}`);
    items.push(...res.body.items);
    if (!res.body.nextCursor) return items;
    after = Number(res.body.nextCursor);
  }
}

/**
 * Accounts for every request the way Jepsen does: each 202 must be stored exactly once or rejected
 * with a reason; nothing may appear that was never sent; seq is gap-free; every inbox holds each of
 * its events once and in order.
 */
export async function account(
  system: ParleySystem,
  workload: Workload,
  participants: Participant[],
  agents: Actor[],
): Promise<Accounting> {
  await quiesce(system);
  const result: Accounting = {
    requests: workload.attempts.length,
    accepted: workload.attempts.filter((a) => a.status === 202).length,
    stored: 0,
    rejected: 0,
    lost: 0,
    duplicated: 0,
    unexpected: 0,
    recovered: 0,
    seqGaps: 0,
    inboxProblems: [],
    deadLetters: 0,
    evidence: [],
  };
  const suspects: string[] = [];
  const sent = new Map(workload.attempts.map((a) => [a.body, a]));
  const storedIds = new Map<string, string[]>();
  for (const { conversationId } of participants) {
    const items = await history(system, agents[0], conversationId);
    if (items.some((m, i) => m.seq !== i + 1)) result.seqGaps++;
    storedIds.set(
      conversationId,
      items.map((m) => m.id),
    );
    const seen = new Map<string, number>();
    const idsByBody = new Map<string, string[]>();
    for (const m of items) idsByBody.set(m.body, [...(idsByBody.get(m.body) ?? []), m.id]);
    for (const ids of idsByBody.values()) if (ids.length > 1) suspects.push(...ids);
    for (const [i, m] of items.entries()) {
      if (i === 0) continue; // the message that opened the conversation
      seen.set(m.body, (seen.get(m.body) ?? 0) + 1);
      const attempt = sent.get(m.body);
      if (!attempt || attempt.conversationId !== conversationId) result.unexpected++;
      else if (attempt.status !== 202) result.recovered++;
    }
    for (const [, count] of seen) if (count > 1) result.duplicated += count - 1;
  }
  for (const attempt of workload.attempts.filter((a) => a.status === 202)) {
    const ids = storedIds.get(attempt.conversationId) ?? [];
    if (!attempt.id) {
      result.lost++; // a 202 always names the message; one that did not cannot be accounted for
      continue;
    }
    if (ids.includes(attempt.id)) {
      result.stored++;
      continue;
    }
    const { data: status } = await clientOf(system, agents[0]).GET('/v1/messages/{id}', {
      params: { path: { id: attempt.id } },
    });
    if (status?.status === 'rejected' && status.rejection) result.rejected++;
    else {
      result.lost++;
      suspects.push(attempt.id);
    }
  }
  // Inboxes: the customer's and the assignee's, each message of the conversation once, in seq order.
  for (const { customer, conversationId } of participants) {
    const { data: conversation } = await clientOf(system, agents[0]).GET('/v1/conversations/{id}', {
      params: { path: { id: conversationId } },
    });
    const assignee = agents.find((a) => a.id === conversation?.assigneeId);
    for (const reader of [customer, ...(assignee ? [assignee] : [])]) {
      const events = await wholeInbox(system, reader);
      const delivered = events
        .filter((e) => e.type === 'message.created' && e.conversationId === conversationId)
        .map((e) => e.data.messageId as string);
      const problem = inboxProblem(delivered, storedIds.get(conversationId) ?? [], events);
      if (problem)
        result.inboxProblems.push(`inbox of ${reader.id}, conversation ${conversationId}: ${problem}`);
    }
  }
  result.deadLetters = await deadLetterCount(system);
  result.evidence = await evidenceFor(system, suspects);
  return result;
}

async function deadLetterCount(system: ParleySystem): Promise<number> {
  const nc = await connect({ servers: system.nats.url.split(',') });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5_000 });
    return (await jsm.streams.info(StreamNames.deadLetters)).state.messages;
  } finally {
    await nc.close();
  }
}

/** How an inbox differs from the conversation's stored messages, or undefined when it holds each once in seq order. */
function inboxProblem(
  delivered: string[],
  stored: string[],
  events: Array<{ id: string }>,
): string | undefined {
  const problems: string[] = [];
  const missing = stored.filter((id) => !delivered.includes(id));
  const extra = delivered.filter((id) => !stored.includes(id));
  if (missing.length) problems.push(`${missing.length} of ${stored.length} messages missing`);
  if (extra.length) problems.push(`${extra.length} messages never stored`);
  const order = delivered.filter((id) => stored.includes(id));
  const expected = stored.filter((id) => delivered.includes(id));
  const firstOutOfOrder = order.findIndex((id, i) => id !== expected[i]);
  if (firstOutOfOrder >= 0) {
    const seqOf = (id: string) => stored.indexOf(id) + 1;
    const around = order.slice(Math.max(0, firstOutOfOrder - 2), firstOutOfOrder + 4).map(seqOf);
    problems.push(`out of seq order from position ${firstOutOfOrder + 1} (seqs ${around.join(', ')})`);
  }
  const repeated = events.length - new Set(events.map((e) => e.id)).size;
  if (repeated) problems.push(`${repeated} events repeated`);
  return problems.length ? problems.join('; ') : undefined;
}
