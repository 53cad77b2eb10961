import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ConversationErasedData, CustomerErasedData, DomainEvent, EventTypes } from '@parley/contracts';
import { HandleEvent, JetStreamPublisher } from '@parley/jetstream';
import { ErasureLedger } from '@parley/persistence';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Deletes everything history holds of an erased conversation: its messages and notes (and with
 * them the search index, which is the messages table), the accepted and rejected records, read
 * and delivery receipts, and the conversation's row. The report projection keeps its content-free
 * figures. Confirms the customer's erasure once all of theirs are gone.
 */
@Controller()
export class HistoryErasureHandlers {
  private readonly ledger: ErasureLedger;

  constructor(
    private readonly db: DataSource,
    publisher: JetStreamPublisher,
  ) {
    this.ledger = new ErasureLedger('history', 'history', db, publisher);
  }

  @HandleEvent(EventTypes.conversationErased)
  async conversationErased(@Payload() event: DomainEvent<ConversationErasedData>): Promise<void> {
    await this.db.transaction(async (em) => {
      const count = await eraseConversation(em, event.data.conversationId);
      await this.ledger.conversationErased(em, event.data, count);
    });
    if (event.data.erasureId) await this.ledger.confirmIfDone(event.data.erasureId);
  }

  /** History keeps nothing of a customer but in their conversations. */
  @HandleEvent(EventTypes.customerErased)
  async customerErased(@Payload() event: DomainEvent<CustomerErasedData>): Promise<void> {
    await this.db.transaction((em) => this.ledger.customerErased(em, event.data, 0));
    await this.ledger.confirmIfDone(event.data.erasureId);
  }
}

async function eraseConversation(em: EntityManager, conversationId: string): Promise<number> {
  let count = 0;
  const run = async (statement: string) => {
    const [, affected] = (await em.query(statement, [conversationId])) as [unknown, number];
    count += affected ?? 0;
  };
  await run(
    `DELETE FROM history.delivery_receipts WHERE message_id IN (
       SELECT id FROM history.messages WHERE conversation_id = $1
       UNION ALL SELECT id FROM history.accepted_messages WHERE conversation_id = $1)`,
  );
  await run('DELETE FROM history.read_receipts WHERE conversation_id = $1');
  await run('DELETE FROM history.messages WHERE conversation_id = $1');
  await run('DELETE FROM history.accepted_messages WHERE conversation_id = $1');
  await run('DELETE FROM history.rejected_messages WHERE conversation_id = $1');
  await run('DELETE FROM history.conversations WHERE id = $1');
  return count;
}
