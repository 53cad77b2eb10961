import { DomainEvent, EventTypes, MessageRejectedData, ReceiptReadData } from '@parley/contracts';

/**
 * Events a customer never sees, even in their own conversation: notes, agent-only changes, and
 * their own rating, which is news only to the agent it counts for.
 */
const AGENT_ONLY = new Set<string>([
  EventTypes.noteCreated,
  EventTypes.conversationAssigned,
  EventTypes.conversationTransferred,
  EventTypes.priorityChanged,
  EventTypes.conversationRated,
  EventTypes.labelsChanged,
]);

/**
 * Events every agent gets while the conversation is in nobody's hands: whoever takes it from the
 * queue sees it as it is.
 */
const TO_ALL_AGENTS_WHEN_UNASSIGNED = new Set<string>([
  EventTypes.conversationCreated,
  EventTypes.labelsChanged,
]);

/** Events that also tell the agent a conversation was taken from. */
const HANDOVERS = new Set<string>([EventTypes.conversationAssigned, EventTypes.conversationTransferred]);

/**
 * Who gets an event in their inbox (the contract's "who gets what"): the conversation's customer
 * except for agent-only events, its assignee (and the previous one on a handover), every agent for
 * a conversation that lands in the queue and for label changes to an unassigned one, only the author
 * for a rejected message, and the other side for a read receipt.
 */
export function recipientsOf(
  event: DomainEvent,
  allAgents: () => Promise<string[]>,
): Promise<string[]> | string[] {
  if (event.type === EventTypes.messageRejected)
    return [(event.data as unknown as MessageRejectedData).authorId];
  const recipients = new Set<string>();
  if (event.customerId && !AGENT_ONLY.has(event.type)) recipients.add(event.customerId);
  if (event.assigneeId) recipients.add(event.assigneeId);
  if (HANDOVERS.has(event.type)) {
    const data = event.data as { previousAssigneeId?: string | null; fromAgentId?: string | null };
    const previous = data.previousAssigneeId ?? data.fromAgentId;
    if (previous) recipients.add(previous);
  }
  if (event.type === EventTypes.receiptRead)
    recipients.delete((event.data as unknown as ReceiptReadData).readerId);
  if (TO_ALL_AGENTS_WHEN_UNASSIGNED.has(event.type) && !event.assigneeId) {
    return allAgents().then((agents) => [...recipients, ...agents]);
  }
  return [...recipients];
}

/**
 * Where the events of a batch go: one entry per recipient and event, in the batch's order, as the
 * parallel lists the inbox insert takes. The agents are read once a batch at most, and only when an
 * event goes to all of them.
 */
export async function addressBatch(
  events: DomainEvent[],
  readAgents: () => Promise<string[]>,
): Promise<{ principals: string[]; eventIndexes: number[] }> {
  let agents: Promise<string[]> | undefined;
  const allAgents = () => (agents ??= readAgents());
  const principals: string[] = [];
  const eventIndexes: number[] = [];
  for (const [index, event] of events.entries()) {
    for (const principalId of await recipientsOf(event, allAgents)) {
      principals.push(principalId);
      eventIndexes.push(index);
    }
  }
  return { principals, eventIndexes };
}
