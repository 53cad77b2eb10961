import type { Command } from '@parley/contracts';
import { ExpireAttachments, ExpireConversation } from '@parley/contracts';
import { previewRetention, RetentionRun, RetentionSelection } from './retention-run';
import {
  cutoffsOf,
  ExpiredAttachment,
  ExpiredConversation,
  Keyset,
  SitePolicy,
} from './retention.repository';

const DAY = 86_400_000;
const NOW = new Date('2026-12-07T12:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

/**
 * The selection as the repository's statements make it, over rows in memory: a site's resolved
 * conversations resolved before the cutoff, its attachments taken before theirs and not in such a
 * conversation, each oldest first and paged by keyset.
 */
class Rows implements RetentionSelection {
  readonly calls: string[] = [];

  constructor(
    readonly conversations: Array<ExpiredConversation & { siteId: string; status: string }>,
    readonly attachments: Array<ExpiredAttachment & { siteId: string }>,
  ) {}

  async expiredConversations(siteId: string, before: Date, after: Keyset | null, limit: number) {
    this.calls.push(`conversations after ${after?.id ?? '-'}`);
    return this.conversations
      .filter((c) => c.siteId === siteId && c.status === 'resolved' && c.resolvedAt < before)
      .sort((a, b) => a.resolvedAt.getTime() - b.resolvedAt.getTime() || a.id.localeCompare(b.id))
      .filter((c) => !after || c.resolvedAt > after.at || (+c.resolvedAt === +after.at && c.id > after.id))
      .slice(0, limit)
      .map(({ id, resolvedAt }) => ({ id, resolvedAt }));
  }

  async expiredAttachments(
    siteId: string,
    { takenBefore, resolvedBefore }: { takenBefore: Date; resolvedBefore: Date | null },
    after: Keyset | null,
    limit: number,
  ) {
    this.calls.push(`attachments after ${after?.id ?? '-'}`);
    const goingWhole = new Set(
      resolvedBefore
        ? (await this.expiredConversations(siteId, resolvedBefore, null, Infinity)).map((c) => c.id)
        : [],
    );
    return this.attachments
      .filter((a) => a.siteId === siteId && a.takenAt < takenBefore && !goingWhole.has(a.conversationId))
      .sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime() || a.id.localeCompare(b.id))
      .filter((a) => !after || a.takenAt > after.at || (+a.takenAt === +after.at && a.id > after.id))
      .slice(0, limit)
      .map(({ id, conversationId, takenAt }) => ({ id, conversationId, takenAt }));
  }
}

const policy = (days: Partial<SitePolicy> = {}): SitePolicy => ({
  siteId: 's1',
  resolvedConversationDays: 30,
  attachmentDays: 90,
  runRequestedAt: null,
  ...days,
});

function issued() {
  const commands: Array<{ subject: string; command: Command; msgId: string }> = [];
  const issue = async (subject: string, command: Command, msgId: string) => {
    commands.push({ subject, command, msgId });
  };
  return { commands, issue };
}

describe('retention selection', () => {
  const rows = () =>
    new Rows(
      [
        { id: 'c-old', siteId: 's1', status: 'resolved', resolvedAt: ago(31) },
        { id: 'c-older', siteId: 's1', status: 'resolved', resolvedAt: ago(400) },
        { id: 'c-recent', siteId: 's1', status: 'resolved', resolvedAt: ago(29) },
        { id: 'c-other-site', siteId: 's2', status: 'resolved', resolvedAt: ago(400) },
      ],
      [
        { id: 'a-old', conversationId: 'c-recent', siteId: 's1', takenAt: ago(91) },
        { id: 'a-young', conversationId: 'c-recent', siteId: 's1', takenAt: ago(89) },
        { id: 'a-in-removed', conversationId: 'c-old', siteId: 's1', takenAt: ago(200) },
      ],
    );

  it('measures days back from now; null keeps forever', () => {
    expect(cutoffsOf({ resolvedConversationDays: 30, attachmentDays: null }, NOW)).toEqual({
      resolvedBefore: ago(30),
      takenBefore: null,
    });
  });

  it('previews the resolved conversations past the policy, oldest first, and the attachments of those that stay', async () => {
    const preview = await previewRetention(rows(), policy(), NOW, 10);

    expect(preview.conversations).toEqual([
      { id: 'c-older', resolvedAt: ago(400).toISOString() },
      { id: 'c-old', resolvedAt: ago(31).toISOString() },
    ]);
    expect(preview.attachments.map((a) => a.id)).toEqual(['a-old']);
    expect(preview.truncated).toBe(false);
  });

  it('lists nothing for a policy that keeps everything, and asks for nothing', async () => {
    const selection = rows();
    const preview = await previewRetention(
      selection,
      policy({ resolvedConversationDays: null, attachmentDays: null }),
      NOW,
      10,
    );
    expect(preview).toMatchObject({ conversations: [], attachments: [] });
    expect(selection.calls).toEqual([]);
  });

  it('says when a list was cut at the limit', async () => {
    const preview = await previewRetention(rows(), policy(), NOW, 1);
    expect(preview.conversations.map((c) => c.id)).toEqual(['c-older']);
    expect(preview.truncated).toBe(true);
  });

  it('issues a removal for each conversation and an expiry per conversation of its attachments: what the preview lists', async () => {
    const selection = rows();
    const { commands, issue } = issued();
    const preview = await previewRetention(selection, policy(), NOW, 10);

    const removed = await new RetentionRun(selection, issue).site(policy(), NOW);

    expect(removed).toEqual({ conversations: 2, attachments: 1 });
    const conversations = commands.filter((c) => c.subject === ExpireConversation.subject);
    expect(conversations.map((c) => (c.command as ExpireConversation).conversationId)).toEqual(
      preview.conversations.map((c) => c.id),
    );
    expect(conversations[0].command).toMatchObject({ siteId: 's1', resolvedBefore: ago(30).toISOString() });
    const attachments = commands.filter((c) => c.subject === ExpireAttachments.subject);
    expect(attachments.map((c) => c.command)).toEqual([
      expect.objectContaining({ conversationId: 'c-recent', attachmentIds: ['a-old'] }),
    ]);
  });

  it('pages through in batches, each after the last of the one before, until a short page', async () => {
    const many = new Rows(
      Array.from({ length: 5 }, (_, i) => ({
        id: `c${i}`,
        siteId: 's1',
        status: 'resolved',
        resolvedAt: ago(100 - i),
      })),
      [],
    );
    const { commands, issue } = issued();

    const removed = await new RetentionRun(many, issue, () => false, 2).site(
      policy({ attachmentDays: null }),
      NOW,
    );

    expect(removed.conversations).toBe(5);
    expect(new Set(commands.map((c) => c.msgId)).size).toBe(5);
    expect(many.calls).toEqual(['conversations after -', 'conversations after c1', 'conversations after c3']);
  });

  it('issues the same removal, deduplicated by its id, when run again before it is applied', async () => {
    const first = issued();
    const second = issued();
    await new RetentionRun(rows(), first.issue).site(policy(), NOW);
    await new RetentionRun(rows(), second.issue).site(policy(), new Date(NOW.getTime() + 3600_000));

    const ids = (list: typeof first.commands) =>
      list.filter((c) => c.subject === ExpireConversation.subject).map((c) => c.msgId);
    expect(ids(second.commands)).toEqual(ids(first.commands));
  });

  it('stops between batches when the service shuts down', async () => {
    const { commands, issue } = issued();
    const removed = await new RetentionRun(rows(), issue, () => true).site(policy(), NOW);
    expect(removed).toEqual({ conversations: 0, attachments: 0 });
    expect(commands).toEqual([]);
  });
});
