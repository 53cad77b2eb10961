import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import type { ObjectStore } from '@nats-io/obj';
import {
  CustomerExportRequestedData,
  ExportedEmail,
  exportObjectName,
  MailExportPart,
} from '@parley/contracts';
import { NATS_CONNECTION, openExportsBucket } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { DataSource } from 'typeorm';
import { MailEnv } from '../mail.env';
import type { EmailContent } from '../outbound/outbound-email';

interface SentEmailRow {
  message_id: string;
  kind: string;
  conversation_id: string | null;
  to_address: string;
  status: string;
  content: EmailContent;
  sent_at: Date | null;
  created_at: Date;
}

/**
 * Mail's part of a customer's export: every email sent to them, and every one that may have been
 * (`in_doubt`: the server may have taken it). Queued and failed ones never reached them.
 */
@Injectable()
export class MailExport implements OnModuleInit {
  private readonly log = new Logger(MailExport.name);
  private bucket: ObjectStore;

  constructor(
    private readonly db: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: MailEnv,
  ) {}

  async onModuleInit(): Promise<void> {
    this.bucket = await openExportsBucket(this.nc, this.config.PARLEY_STREAM_REPLICAS);
  }

  /** Writes the part; written again as it is now when the event comes again. */
  async write(request: CustomerExportRequestedData): Promise<void> {
    const part: MailExportPart = {
      exportId: request.exportId,
      customerId: request.customerId,
      writtenAt: new Date().toISOString(),
      emails: await this.emails(request.customerId),
    };
    await this.bucket.putBlob(
      { name: exportObjectName(request.customerId, request.exportId, 'mail') },
      Buffer.from(JSON.stringify(part)),
    );
    this.log.log(`export ${request.exportId}: mail part written, ${part.emails.length} emails`);
  }

  async emails(customerId: string): Promise<ExportedEmail[]> {
    const rows: SentEmailRow[] = await this.db.query(
      `SELECT message_id, kind, conversation_id, to_address, status, content, sent_at, created_at
         FROM mail.sent_emails
        WHERE recipient_id = $1 AND status IN ('sent', 'sending', 'in_doubt')
        ORDER BY created_at, message_id`,
      [customerId],
    );
    return rows.map((row) => ({
      id: row.message_id,
      kind: row.kind,
      conversationId: row.conversation_id,
      to: row.to_address,
      subject: row.content.subject,
      text: row.content.text,
      status: row.status,
      sentAt: (row.sent_at ?? row.created_at).toISOString(),
    }));
  }
}
