import { MessageStatusView, Principal, ReceiptView } from '@parley/contracts';
import { QueryRejected } from '@parley/jetstream';
import { ReceiptRepository } from '../receipts/receipt.repository';
import { MessageRepository } from './message.repository';
import { MessageStatus } from './message-status';

type Status = Omit<MessageStatusView, 'receipts'>;

const stored: Status = {
  id: 'm1',
  conversationId: 'c1',
  seq: 3,
  authorId: 'cu1',
  authorRole: 'customer',
  type: 'message',
  body: 'hello',
  createdAt: '2026-01-01T00:00:00.000Z',
  via: 'api',
  status: 'stored',
};
const receipt: ReceiptView = { recipientId: 'a1', deliveredAt: '2026-01-01T00:01:00.000Z', readAt: null };

function statusOf(status: Status | undefined) {
  const asked: unknown[] = [];
  const messages = { statusOf: async () => status } as unknown as MessageRepository;
  const receipts = {
    of: async (message: unknown) => {
      asked.push(message);
      return [receipt];
    },
  } as unknown as ReceiptRepository;
  return { status: new MessageStatus(messages, receipts), asked };
}

const as = (principal: Principal) => ({ principal, messageId: 'm1' });

describe('MessageStatus', () => {
  it("gives a stored message's author its receipts, measured against its seq", async () => {
    const { status, asked } = statusOf(stored);
    expect(await status.view(as({ id: 'cu1', role: 'customer' }))).toEqual({
      ...stored,
      receipts: [receipt],
    });
    expect(asked).toEqual([
      expect.objectContaining({ id: 'm1', conversationId: 'c1', seq: 3, authorId: 'cu1' }),
    ]);
  });

  it('shows any agent a message', async () => {
    const { status } = statusOf(stored);
    await expect(status.view(as({ id: 'a9', role: 'agent' }))).resolves.toMatchObject({ status: 'stored' });
  });

  it('tells anyone else the message was not found', async () => {
    const { status } = statusOf(stored);
    await expect(status.view(as({ id: 'cu2', role: 'customer' }))).rejects.toMatchObject({ status: 404 });
    await expect(status.view(as({ id: 'ad1', role: 'admin' }))).rejects.toBeInstanceOf(QueryRejected);
  });

  it('answers 404 for a message history has never heard of', async () => {
    const { status } = statusOf(undefined);
    await expect(status.view(as({ id: 'a1', role: 'agent' }))).rejects.toMatchObject({ status: 404 });
  });

  it('has no receipts for a message not stored, and does not look for any', async () => {
    const rejected: Status = { ...stored, seq: null, status: 'rejected', rejection: 'conversation resolved' };
    const { status, asked } = statusOf(rejected);
    expect(await status.view(as({ id: 'cu1', role: 'customer' }))).toEqual({ ...rejected, receipts: [] });
    expect(asked).toEqual([]);
  });
});
