import { createHash } from 'node:crypto';
import type { DomainEvent, StoredMessageData } from '@parley/contracts';
import type { Conversation } from '../conversations/conversation.entity';
import { entryStored } from '../events/conversation-events';
import type { UnitOfWork } from '../events/unit-of-work';
import { availabilityAt } from './business-hours';

/** One per conversation, so its id follows from the conversation's: a retry appends nothing new. */
const automaticReplyId = (conversationId: string) =>
  `auto-${createHash('sha256').update(conversationId).digest('base64url').slice(0, 40)}`;

/**
 * The site's automatic reply to a customer's message that arrives out of business hours, once per
 * conversation. It is written by the site (its id as author, in the agent role, so the customer
 * reads it as the team's), marked `via: automatic`, and is no first response.
 */
export async function automaticReply(
  unit: UnitOfWork,
  conversation: Conversation,
  now: Date,
): Promise<DomainEvent<StoredMessageData>[]> {
  if (!conversation.siteId || conversation.autoRepliedAt) return [];
  const site = await unit.sites.settings(conversation.siteId);
  if (!site?.autoReply || availabilityAt(site, now).open) return [];
  const entry = unit.ledger.append(
    conversation,
    automaticReplyId(conversation.id),
    { id: site.siteId, role: 'agent' },
    'message',
    site.autoReply,
  );
  conversation.autoRepliedAt = entry.createdAt;
  await unit.conversations.update(conversation, 'autoRepliedAt');
  const stored = entryStored(conversation, entry, site.autoReply);
  return [{ ...stored, data: { ...stored.data, via: 'automatic' } }];
}
