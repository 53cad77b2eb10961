import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ConversationErasedData, CustomerErasedData, DomainEvent, EventTypes } from '@parley/contracts';
import { HandleEvent, JetStreamPublisher } from '@parley/jetstream';
import { ErasureLedger } from '@parley/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { MAIL_CHANNEL, MailChannel } from '../outbound/mail-channel';

/**
 * Deletes everything mail holds of an erased conversation (its replies waiting to be notified, its
 * notifications, every email that carried it, agents' digests included, and the emails it took in)
 * and of the erased customer (their address, their unsubscription, every email sent to them and
 * every email that came from their address, matched or not); the drop directory's copies go too.
 * Confirms the customer's erasure once all of theirs are gone.
 */
@Controller()
export class MailErasureHandlers {
  private readonly ledger: ErasureLedger;

  constructor(
    private readonly db: DataSource,
    publisher: JetStreamPublisher,
    @Inject(MAIL_CHANNEL) private readonly channel: MailChannel,
  ) {
    this.ledger = new ErasureLedger('mail', 'mail', db, publisher);
  }

  @HandleEvent(EventTypes.conversationErased)
  async conversationErased(@Payload() event: DomainEvent<ConversationErasedData>): Promise<void> {
    const { conversationId } = event.data;
    const emails = await this.db.transaction(async (em) => {
      const sent = await sentEmailsDeleted(
        em,
        // An agent's digest lists conversations among others: the id in its content names this one.
        `conversation_id = $1 OR strpos(content::text, $1) > 0`,
        conversationId,
      );
      const count =
        sent.length +
        (await deleted(em, 'DELETE FROM mail.replies WHERE conversation_id = $1', conversationId)) +
        (await deleted(em, 'DELETE FROM mail.notifications WHERE conversation_id = $1', conversationId)) +
        (await deleted(em, 'DELETE FROM mail.inbound_mail WHERE conversation_id = $1', conversationId)) +
        (await deleted(em, 'DELETE FROM mail.conversations WHERE id = $1', conversationId));
      await this.ledger.conversationErased(em, event.data, count);
      return sent;
    });
    await this.channel.erase(emails);
    if (event.data.erasureId) await this.ledger.confirmIfDone(event.data.erasureId);
  }

  @HandleEvent(EventTypes.customerErased)
  async customerErased(@Payload() event: DomainEvent<CustomerErasedData>): Promise<void> {
    const { customerId } = event.data;
    const emails = await this.db.transaction(async (em) => {
      const [customer]: Array<{ email: string | null }> = await em.query(
        'SELECT email FROM mail.customers WHERE id = $1',
        [customerId],
      );
      const sent = await sentEmailsDeleted(em, 'recipient_id = $1', customerId);
      let count = sent.length;
      if (customer?.email)
        count += await deleted(
          em,
          'DELETE FROM mail.inbound_mail WHERE strpos(lower(from_address), lower($1)) > 0',
          customer.email,
        );
      count += await deleted(em, 'DELETE FROM mail.customers WHERE id = $1', customerId);
      await this.ledger.customerErased(em, event.data, count);
      return sent;
    });
    await this.channel.erase(emails);
    await this.ledger.confirmIfDone(event.data.erasureId);
  }
}

async function deleted(em: EntityManager, statement: string, id: string): Promise<number> {
  const [, affected] = (await em.query(statement, [id])) as [unknown, number];
  return affected ?? 0;
}

/** Deletes the sent emails matching `where` (on `$1`); answers their Message-IDs. */
async function sentEmailsDeleted(em: EntityManager, where: string, id: string): Promise<string[]> {
  const [rows] = (await em.query(`DELETE FROM mail.sent_emails WHERE ${where} RETURNING message_id`, [
    id,
  ])) as [Array<{ message_id: string }>, number];
  return rows.map((row) => row.message_id);
}
