import { PermanentFailure } from '@parley/jetstream';
import type { UnitOfWork } from '../../events/unit-of-work';
import type { Conversation } from '../conversation.entity';

/**
 * The conversation, locked; a command for one that does not exist fails for good. Agent commands
 * were checked by the gateway when the service was reachable; this is the last word.
 */
export async function existingConversation(unit: UnitOfWork, conversationId: string): Promise<Conversation> {
  const conversation = await unit.ledger.lock(conversationId);
  if (!conversation) throw new PermanentFailure(`conversation ${conversationId} does not exist`, 404);
  if (conversation.erasedAt) throw erasedConversation(conversationId);
  return conversation;
}

/** A command on a conversation whose customer was erased fails for good: there is nothing left to act on. */
export function erasedConversation(conversationId: string): PermanentFailure {
  return new PermanentFailure(`conversation ${conversationId} was erased with its customer`, 410);
}

/** A command naming an agent that does not exist fails for good. */
export async function existingAgent(unit: UnitOfWork, agentId: string): Promise<void> {
  if (!(await unit.people.agentExists(agentId)))
    throw new PermanentFailure(`agent ${agentId} does not exist`);
}
