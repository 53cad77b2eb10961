import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AttachmentsExpiredData, DomainEvent, EventTypes } from '@parley/contracts';
import { HandleEvent } from '@parley/jetstream';
import { DataSource } from 'typeorm';

/**
 * A site's retention deleted attachments: the messages that carry them keep each one's name and
 * size and say when it expired, so the console and the widget show it as such and the gateway
 * hands out no download link. Set once: a redelivery keeps the first time.
 */
@Controller()
export class AttachmentsExpiredHandler {
  constructor(private readonly db: DataSource) {}

  @HandleEvent(EventTypes.attachmentsExpired)
  async attachmentsExpired(@Payload() event: DomainEvent<AttachmentsExpiredData>): Promise<void> {
    const { conversationId, attachmentIds } = event.data;
    await this.db.query(
      `UPDATE history.messages m
          SET attachments = (
                SELECT jsonb_agg(CASE WHEN a->>'id' = ANY($2::text[]) AND NOT a ? 'expiredAt'
                                      THEN a || jsonb_build_object('expiredAt', $3::text) ELSE a END
                                 ORDER BY n)
                  FROM jsonb_array_elements(m.attachments) WITH ORDINALITY AS e(a, n))
        WHERE m.conversation_id = $1 AND m.attachments IS NOT NULL
          AND EXISTS (SELECT FROM jsonb_array_elements(m.attachments) a WHERE a->>'id' = ANY($2::text[]))`,
      [conversationId, attachmentIds, event.occurredAt],
    );
  }
}
