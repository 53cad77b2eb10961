import { AttachmentRef, PostMessage } from '@parley/contracts';
import {
  ACCEPTED_AT,
  agentIssuer,
  appliedDirectly,
  customer,
  InMemoryTables,
  storedAgent,
  storedConversation,
  summaryOf,
} from '../../../test/in-memory-unit-of-work';
import { Assignment } from '../../assignment/assignment';
import type { AttachmentFiles } from '../../attachments/attachment-catalog';
import { PostMessageHandler } from './post-message.handler';

/** The object store as the gateway filled it: `shot.png` was uploaded into c1. */
const UPLOADED: Record<string, { conversationId: string; ref: AttachmentRef }> = {
  f1: { conversationId: 'c1', ref: { id: 'f1', name: 'shot.png', contentType: 'image/png', size: 120 } },
};
const files: AttachmentFiles = {
  describe: async (ids, conversationId) =>
    ids.every((id) => UPLOADED[id]?.conversationId === conversationId)
      ? ids.map((id) => UPLOADED[id].ref)
      : undefined,
};
const handler = new PostMessageHandler(appliedDirectly, new Assignment(), files);
const message = (fields: Partial<PostMessage>): PostMessage => ({
  conversationId: 'c1',
  messageId: 'm1',
  body: 'hello',
  issuedBy: customer(),
  acceptedAt: ACCEPTED_AT,
  ...fields,
});

describe('PostMessageHandler', () => {
  let tables: InMemoryTables;
  beforeEach(() => (tables = new InMemoryTables()));

  it("appends an agent's message with the next seq and leaves the status alone", async () => {
    storedConversation(tables, { id: 'c1', status: 'pending', assigneeId: 'ag-1', lastSeq: 3 });

    const events = await handler.apply(tables.unitOfWork(), message({ issuedBy: agentIssuer() }), '42');

    expect(summaryOf(events)).toEqual(['message.created c1']);
    expect(events[0].data).toMatchObject({ messageId: 'm1', seq: 4, authorRole: 'agent' });
    expect(tables.conversation('c1').status).toBe('pending');
  });

  it('keeps a reply by email marked as such, on the entry and on its event', async () => {
    storedConversation(tables, { id: 'c1' });
    const unit = tables.unitOfWork();

    const events = await handler.apply(unit, message({ via: 'email' }), '42');
    await unit.complete();

    expect(events[0].data).toMatchObject({ messageId: 'm1', authorRole: 'customer', via: 'email' });
    expect(tables.entries).toEqual([expect.objectContaining({ id: 'm1', via: 'email' })]);
  });

  it('leaves via off the event of a message posted through the API', async () => {
    storedConversation(tables, { id: 'c1' });

    const events = await handler.apply(tables.unitOfWork(), message({}), '42');

    expect(events[0].data).not.toHaveProperty('via');
  });

  it.each([
    ['someone else’s conversation', 'c1'],
    ['a conversation that does not exist', 'nowhere'],
  ])('rejects a customer’s message into %s with one and the same reason', async (_, conversationId) => {
    storedConversation(tables, { id: 'c1', customerId: 'cu-other' });
    const unit = tables.unitOfWork();

    const events = await handler.apply(unit, message({ conversationId }), '42');
    await unit.complete();

    expect(events).toEqual([
      expect.objectContaining({
        id: 'message.rejected:m1',
        type: 'message.rejected',
        data: expect.objectContaining({
          reason: 'The conversation does not exist or you are not one of its participants.',
        }),
      }),
    ]);
    expect(tables.entries).toEqual([]);
  });

  it('reopens a resolved conversation when its customer writes, and assigns it again', async () => {
    storedConversation(tables, { id: 'c1', status: 'resolved', assigneeId: 'ag-1', queuedAt: null });
    storedAgent(tables, { id: 'ag-2' });

    const events = await handler.apply(tables.unitOfWork(), message({}), '42');

    expect(summaryOf(events)).toEqual([
      'message.created c1',
      'conversation.status_changed c1',
      'conversation.assigned c1',
    ]);
    expect(events[1].data).toMatchObject({ status: 'open', previousStatus: 'resolved', changedBy: 'cu-1' });
    expect(tables.conversation('c1').assigneeId).toBe('ag-2');
  });

  it('reopens a pending conversation for the agent who has it', async () => {
    storedConversation(tables, { id: 'c1', status: 'pending', assigneeId: 'ag-1', queuedAt: null });
    storedAgent(tables, { id: 'ag-2' });

    const events = await handler.apply(tables.unitOfWork(), message({}), '42');

    expect(summaryOf(events)).toEqual(['message.created c1', 'conversation.status_changed c1']);
    expect(tables.conversation('c1')).toMatchObject({ status: 'open', assigneeId: 'ag-1', queuedAt: null });
  });

  it('carries the attachments uploaded into the conversation, and records the message as taking them', async () => {
    storedConversation(tables, { id: 'c1', assigneeId: 'ag-1' });

    const events = await handler.apply(tables.unitOfWork(), message({ attachments: ['f1'] }), '42');

    expect(events[0].data).toMatchObject({ attachments: [UPLOADED.f1.ref] });
    expect(tables.attachmentReferences.get('f1')).toBe('m1');
  });

  it.each([
    ['does not exist', 'c1', 'nothing'],
    ['was uploaded into another conversation', 'c2', 'f1'],
  ])('rejects a message whose attachment %s', async (_, conversationId, attachmentId) => {
    storedConversation(tables, { id: conversationId, assigneeId: 'ag-1' });

    const events = await handler.apply(
      tables.unitOfWork(),
      message({ conversationId, attachments: [attachmentId] }),
      '42',
    );

    expect(summaryOf(events)).toEqual([`message.rejected ${conversationId}`]);
    expect(events[0].data).toMatchObject({ reason: expect.stringMatching(/attachment/) });
    expect(tables.entries).toEqual([]);
  });

  it('rejects a message whose attachment the sweep deleted as unused', async () => {
    storedConversation(tables, { id: 'c1', assigneeId: 'ag-1' });
    tables.attachmentReferences.set('f1', null);

    const events = await handler.apply(tables.unitOfWork(), message({ attachments: ['f1'] }), '42');

    expect(summaryOf(events)).toEqual(['message.rejected c1']);
  });

  it('appends a message once, however often it comes', async () => {
    storedConversation(tables, { id: 'c1', assigneeId: 'ag-1' });
    const unit = tables.unitOfWork();

    const first = await handler.apply(unit, message({}), '42');
    const again = await handler.apply(unit, message({}), '43');
    await unit.complete();

    expect(summaryOf(first)).toEqual(['message.created c1']);
    expect(again).toEqual([]);
    expect(tables.entries.map((e) => e.id)).toEqual(['m1']);
  });

  it('locks a batch’s conversations and looks its messages up in one statement each', async () => {
    storedConversation(tables, { id: 'c1', assigneeId: 'ag-1' });
    storedConversation(tables, { id: 'c2', assigneeId: 'ag-1' });
    const batch = [
      message({ conversationId: 'c2', messageId: 'm1' }),
      message({ conversationId: 'c1', messageId: 'm2' }),
      message({ conversationId: 'c2', messageId: 'm3' }),
    ];
    const unit = tables.unitOfWork();

    await handler.prepare(unit, batch);
    for (const [i, cmd] of batch.entries()) await handler.apply(unit, cmd, String(i));
    await unit.complete();

    expect(tables.statements).toEqual(['lock c2,c1', 'recorded m1,m2,m3', 'write m1,m2,m3']);
    expect(tables.entries.map((e) => [e.id, e.seq])).toEqual([
      ['m1', 1],
      ['m2', 1],
      ['m3', 2],
    ]);
  });

  describe('out of business hours', () => {
    const utcDay = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const closedSite = (autoReply: string | null) =>
      tables.siteSettings.set('site-1', {
        siteId: 'site-1',
        name: 'Shop',
        timeZone: 'UTC',
        hours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, opens: '09:00', closes: '17:00' })),
        // Closed from yesterday to tomorrow, whatever the time of day.
        holidays: [utcDay(-1), utcDay(0), utcDay(1)],
        expectedReplyMinutes: null,
        notifyDelaySeconds: 120,
        autoReply,
        conversationUrl: null,
      });

    it("answers a customer's message with the site's automatic reply, once per conversation", async () => {
      closedSite('We are closed; back soon.');
      storedConversation(tables, { id: 'c1', siteId: 'site-1', lastSeq: 1 });

      const unit = tables.unitOfWork();
      const first = await handler.apply(unit, message({ messageId: 'm1' }), '42');
      const second = await handler.apply(unit, message({ messageId: 'm2' }), '43');
      await unit.complete();

      expect(summaryOf(first)).toEqual(['message.created c1', 'message.created c1']);
      expect(first[1].data).toMatchObject({
        seq: 3,
        authorId: 'site-1',
        authorRole: 'agent',
        body: 'We are closed; back soon.',
        via: 'automatic',
      });
      expect(summaryOf(second)).toEqual(['message.created c1']);
      expect(tables.conversation('c1').autoRepliedAt).toEqual(expect.any(Date));
      // The automatic reply is no first response.
      expect(tables.conversation('c1').firstResponseAt).toBeNull();
    });

    it('sends nothing where the site has no automatic reply, or the conversation no site', async () => {
      closedSite(null);
      storedConversation(tables, { id: 'c1', siteId: 'site-1' });
      storedConversation(tables, { id: 'c2', customerId: 'cu-1' });

      expect(summaryOf(await handler.apply(tables.unitOfWork(), message({}), '42'))).toEqual([
        'message.created c1',
      ]);
      const other = message({ conversationId: 'c2', messageId: 'm9' });
      expect(summaryOf(await handler.apply(tables.unitOfWork(), other, '43'))).toEqual([
        'message.created c2',
      ]);
    });
  });

  it("records an agent's first message as the first response, and only the first", async () => {
    storedConversation(tables, { id: 'c1', assigneeId: 'ag-1', lastSeq: 1 });

    await handler.apply(tables.unitOfWork(), message({ issuedBy: agentIssuer(), messageId: 'm1' }), '42');
    const first = tables.conversation('c1').firstResponseAt;
    await handler.apply(tables.unitOfWork(), message({ issuedBy: agentIssuer(), messageId: 'm2' }), '43');

    expect(first).toEqual(expect.any(Date));
    expect(tables.conversation('c1').firstResponseAt).toEqual(first);
  });
});
