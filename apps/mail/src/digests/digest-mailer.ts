import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@parley/runtime';
import { DataSource, EntityManager } from 'typeorm';
import { MailLinks } from '../mail-links';
import { MailEnv } from '../mail.env';
import { agentDigest } from '../notifications/templates';
import { SentEmailRepository } from '../outbound/sent-email.repository';
import { DigestRepository, DueDigest } from './digest.repository';
import { workOffDue } from '../due-work';

/**
 * Every `PARLEY_MAIL_AGENT_DIGEST_INTERVAL_SECONDS`, an offline agent who has not switched it off
 * gets one email listing the conversations assigned to them and those waiting in the queue past
 * `PARLEY_MAIL_QUEUE_THRESHOLD_SECONDS`; nothing when both lists are empty.
 */
@Injectable()
export class DigestMailer {
  constructor(
    private readonly db: DataSource,
    private readonly digests: DigestRepository,
    private readonly ledger: SentEmailRepository,
    private readonly links: MailLinks,
    @Inject(SERVICE_CONFIG) private readonly config: MailEnv,
  ) {}

  async composeDue(stopped: () => boolean): Promise<void> {
    await workOffDue(
      this.db,
      stopped,
      (m, limit) => this.digests.claimDue(m, limit),
      async (m, digest) => {
        await this.compose(m, digest);
        await this.digests.next(m, digest.agentId, this.config.PARLEY_MAIL_AGENT_DIGEST_INTERVAL_SECONDS);
      },
    );
  }

  private async compose(m: EntityManager, digest: DueDigest): Promise<void> {
    if (!digest.digestEnabled || !digest.email) return;
    const assigned = await this.digests.assigned(m, digest.agentId);
    const waiting = await this.digests.waiting(m, this.config.PARLEY_MAIL_QUEUE_THRESHOLD_SECONDS);
    if (!assigned.length && !waiting.length) return;
    const rendered = agentDigest({
      agentName: digest.name ?? 'there',
      assigned,
      waiting,
      consoleUrl: this.links.console(),
    });
    await this.ledger.enqueue(
      {
        messageId: this.links.messageId(`digest-${digest.agentId}-${digest.dueAt.getTime()}`),
        kind: 'digest',
        conversationId: null,
        recipientId: digest.agentId,
        content: {
          from: { name: 'Parley', address: this.config.PARLEY_MAIL_FROM },
          to: { name: digest.name ?? '', address: digest.email as string },
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          headers: { 'Auto-Submitted': 'auto-generated' },
          date: new Date().toISOString(),
        },
      },
      m,
    );
  }
}
