import { createHash } from 'node:crypto';
import { Command, ExpireAttachments, ExpireConversation, RetentionPreview } from '@parley/contracts';
import {
  cutoffsOf,
  ExpiredAttachment,
  ExpiredConversation,
  Keyset,
  RetentionCutoffs,
  RetentionRepository,
  SitePolicy,
} from './retention.repository';

/** How many conversations, and attachments, one page of a run selects and issues together. */
export const RETENTION_BATCH = 500;

/** What the run needs of the repository: the selection, which the preview uses too. */
export type RetentionSelection = Pick<RetentionRepository, 'expiredConversations' | 'expiredAttachments'>;

/** Sends a command to the service's own partitions, deduplicated by `msgId`. */
export type IssueCommand = (subject: string, command: Command, msgId: string) => Promise<unknown>;

/** One page of what a policy removes, after `after` of each kind. */
function selectPage(
  selection: RetentionSelection,
  siteId: string,
  cutoffs: RetentionCutoffs,
  after: { conversations: Keyset | null; attachments: Keyset | null },
  limit: number,
): Promise<[ExpiredConversation[], ExpiredAttachment[]]> {
  const { resolvedBefore, takenBefore } = cutoffs;
  return Promise.all([
    resolvedBefore ? selection.expiredConversations(siteId, resolvedBefore, after.conversations, limit) : [],
    takenBefore
      ? selection.expiredAttachments(siteId, { takenBefore, resolvedBefore }, after.attachments, limit)
      : [],
  ]);
}

/**
 * What the site's policy removes at `now`, as the run would select it: the first `limit` of each
 * kind, and whether there are more.
 */
export async function previewRetention(
  selection: RetentionSelection,
  policy: SitePolicy,
  now: Date,
  limit: number,
): Promise<RetentionPreview> {
  const page = { conversations: null, attachments: null };
  const [conversations, attachments] = await selectPage(
    selection,
    policy.siteId,
    cutoffsOf(policy, now),
    page,
    limit + 1,
  );
  return {
    siteId: policy.siteId,
    asOf: now.toISOString(),
    resolvedConversationDays: policy.resolvedConversationDays,
    attachmentDays: policy.attachmentDays,
    conversations: conversations
      .slice(0, limit)
      .map(({ id, resolvedAt }) => ({ id, resolvedAt: resolvedAt.toISOString() })),
    attachments: attachments.slice(0, limit).map(({ id, conversationId, takenAt }) => ({
      id,
      conversationId,
      takenAt: takenAt.toISOString(),
    })),
    truncated: conversations.length > limit || attachments.length > limit,
  };
}

const ISSUER: Command['issuedBy'] = { id: 'retention', role: 'admin' };

/**
 * Goes through one site's policy: pages through what it removes (the preview's selection) and
 * issues, for each conversation, its removal or its attachments' expiry to the conversation's
 * partition. The removals are applied there in turn; a redelivered or repeated one changes nothing.
 */
export class RetentionRun {
  constructor(
    private readonly selection: RetentionSelection,
    private readonly issue: IssueCommand,
    private readonly stopping: () => boolean = () => false,
    private readonly batch = RETENTION_BATCH,
  ) {}

  /** Issues what the policy removes at `now`; answers how many conversations and attachments. */
  async site(policy: SitePolicy, now: Date): Promise<{ conversations: number; attachments: number }> {
    const cutoffs = cutoffsOf(policy, now);
    const acceptedAt = now.toISOString();
    const removed = { conversations: 0, attachments: 0 };
    const after: { conversations: Keyset | null; attachments: Keyset | null } = {
      conversations: null,
      attachments: null,
    };
    let more = { conversations: cutoffs.resolvedBefore !== null, attachments: cutoffs.takenBefore !== null };
    while ((more.conversations || more.attachments) && !this.stopping()) {
      const [conversations, attachments] = await selectPage(
        this.selection,
        policy.siteId,
        {
          resolvedBefore: more.conversations ? cutoffs.resolvedBefore : null,
          takenBefore: more.attachments ? cutoffs.takenBefore : null,
        },
        after,
        this.batch,
      );
      await Promise.all([
        ...conversations.map((c) => this.expireConversation(policy.siteId, c, cutoffs, acceptedAt)),
        ...this.byConversation(attachments).map(([conversationId, ids]) =>
          this.expireAttachments(conversationId, ids, cutoffs, acceptedAt),
        ),
      ]);
      removed.conversations += conversations.length;
      removed.attachments += attachments.length;
      const lastConversation = conversations[conversations.length - 1];
      const lastAttachment = attachments[attachments.length - 1];
      if (lastConversation)
        after.conversations = { at: lastConversation.resolvedAt, id: lastConversation.id };
      if (lastAttachment) after.attachments = { at: lastAttachment.takenAt, id: lastAttachment.id };
      more = {
        conversations: more.conversations && conversations.length === this.batch,
        attachments: more.attachments && attachments.length === this.batch,
      };
    }
    return removed;
  }

  private expireConversation(
    siteId: string,
    conversation: ExpiredConversation,
    cutoffs: RetentionCutoffs,
    acceptedAt: string,
  ): Promise<unknown> {
    const command: ExpireConversation = {
      conversationId: conversation.id,
      siteId,
      resolvedBefore: (cutoffs.resolvedBefore as Date).toISOString(),
      issuedBy: ISSUER,
      acceptedAt,
    };
    // One removal per resolution: runs before it is applied issue the same, which JetStream drops.
    return this.issue(
      ExpireConversation.subject,
      command,
      `retention:${conversation.id}:${conversation.resolvedAt.toISOString()}`,
    );
  }

  private expireAttachments(
    conversationId: string,
    attachmentIds: string[],
    cutoffs: RetentionCutoffs,
    acceptedAt: string,
  ): Promise<unknown> {
    const command: ExpireAttachments = {
      conversationId,
      attachmentIds,
      takenBefore: (cutoffs.takenBefore as Date).toISOString(),
      issuedBy: ISSUER,
      acceptedAt,
    };
    const digest = createHash('sha256').update(attachmentIds.join(',')).digest('hex').slice(0, 32);
    return this.issue(
      ExpireAttachments.subject,
      command,
      `retention-attachments:${conversationId}:${digest}`,
    );
  }

  private byConversation(attachments: ExpiredAttachment[]): Array<[string, string[]]> {
    const grouped = new Map<string, string[]>();
    for (const { id, conversationId } of attachments)
      grouped.set(conversationId, [...(grouped.get(conversationId) ?? []), id]);
    return [...grouped];
  }
}
