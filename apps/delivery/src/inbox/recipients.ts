import { DomainEvent, EventTypes, MessageRejectedData } from '@parley/contracts';

/** Events a customer never sees even in their own conversation. */
const AGENT_ONLY = new Set<string>([EventTypes.noteCreated]);

/**
 * Who gets an event in their inbox (the contract's "who gets what"): the conversation's customer
 * except for agent-only events, its assignee, every agent for a conversation that lands in the
 * queue, and only the author for a rejected message.
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
  if (event.type === EventTypes.conversationCreated && !event.assigneeId) {
    return allAgents().then((agents) => [...recipients, ...agents]);
  }
  return [...recipients];
}
