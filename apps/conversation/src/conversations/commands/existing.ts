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
  return conversation;
}

/** A command naming an agent that does not exist fails for good. */
export async function existingAgent(unit: UnitOfWork, agentId: string): Promise<void> {
  if (!(await unit.people.agentExists(agentId)))
    throw new PermanentFailure(`agent ${agentId} does not exist`);
}
