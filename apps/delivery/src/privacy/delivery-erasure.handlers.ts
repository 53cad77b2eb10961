import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ConversationErasedData, CustomerErasedData, DomainEvent, EventTypes } from '@parley/contracts';
import { HandleEvent, JetStreamPublisher } from '@parley/jetstream';
import { ErasureLedger } from '@parley/persistence';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Deletes everything delivery holds of an erased conversation (every inbox's rows of it, and the
 * webhook deliveries and attempts that carried it) and of the erased customer (their inbox and its
 * position); confirms the customer's erasure once all of theirs are gone. A webhook work item left
 * in the stream names a delivery that no longer exists, and is dropped when it comes up.
 */
@Controller()
export class DeliveryErasureHandlers {
  private readonly ledger: ErasureLedger;

  constructor(
    private readonly db: DataSource,
    publisher: JetStreamPublisher,
  ) {
    this.ledger = new ErasureLedger('delivery', 'delivery', db, publisher);
  }

  @HandleEvent(EventTypes.conversationErased)
  async conversationErased(@Payload() event: DomainEvent<ConversationErasedData>): Promise<void> {
    const { conversationId } = event.data;
    await this.db.transaction(async (em) => {
      const count =
        (await deleted(em, 'DELETE FROM delivery.inbox_events WHERE conversation_id = $1', conversationId)) +
        (await eraseWebhookDeliveries(em, `payload->'data'->>'conversationId' = $1`, conversationId));
      await this.ledger.conversationErased(em, event.data, count);
    });
    if (event.data.erasureId) await this.ledger.confirmIfDone(event.data.erasureId);
  }

  @HandleEvent(EventTypes.customerErased)
  async customerErased(@Payload() event: DomainEvent<CustomerErasedData>): Promise<void> {
    const { customerId } = event.data;
    await this.db.transaction(async (em) => {
      const count =
        (await deleted(em, 'DELETE FROM delivery.inbox_events WHERE principal_id = $1', customerId)) +
        (await deleted(em, 'DELETE FROM delivery.inbox_acks WHERE principal_id = $1', customerId)) +
        (await eraseWebhookDeliveries(em, `payload->'data'->>'customerId' = $1`, customerId));
      await this.ledger.customerErased(em, event.data, count);
    });
    await this.ledger.confirmIfDone(event.data.erasureId);
  }
}

async function deleted(em: EntityManager, statement: string, id: string): Promise<number> {
  const [, affected] = (await em.query(statement, [id])) as [unknown, number];
  return affected ?? 0;
}

/** Deletes the webhook deliveries whose payload matches `where` (on `$1`), with their attempts. */
async function eraseWebhookDeliveries(em: EntityManager, where: string, id: string): Promise<number> {
  const attempts = await deleted(
    em,
    `DELETE FROM delivery.webhook_attempts WHERE delivery_id IN (
       SELECT id FROM delivery.webhook_deliveries WHERE ${where})`,
    id,
  );
  return attempts + (await deleted(em, `DELETE FROM delivery.webhook_deliveries WHERE ${where}`, id));
}
