import { Injectable } from '@nestjs/common';
import { MessageQuery, MessageStatusView } from '@parley/contracts';
import { QueryRejected } from '@parley/jetstream';
import { ReceiptRepository } from '../receipts/receipt.repository';
import { MessageRepository } from './message.repository';

/**
 * Where each message stands: `accepted` once its command is seen, `stored` with its seq, or
 * `rejected` with the reason; and who has had it delivered and read.
 */
@Injectable()
export class MessageStatus {
  constructor(
    private readonly messages: MessageRepository,
    private readonly receipts: ReceiptRepository,
  ) {}

  /** Its author and agents may see a message; anyone else is told it does not exist. */
  async view(q: MessageQuery): Promise<MessageStatusView> {
    const status = await this.messages.statusOf(q.messageId);
    if (!status || (q.principal.role !== 'agent' && status.authorId !== q.principal.id))
      throw new QueryRejected(404, 'Not found', `Message ${q.messageId} was not found.`);
    // Only a stored message has a seq, which read horizons are measured against.
    const { seq } = status;
    return { ...status, receipts: seq === null ? [] : await this.receipts.of({ ...status, seq }) };
  }
}
