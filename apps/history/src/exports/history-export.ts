import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import type { ObjectStore } from '@nats-io/obj';
import {
  AttachmentRef,
  CustomerExportRequestedData,
  ExportedMessage,
  exportObjectName,
  HistoryExportPart,
  MessageVia,
  Role,
} from '@parley/contracts';
import { NATS_CONNECTION, openExportsBucket, RetryLater } from '@parley/jetstream';
import { SERVICE_CONFIG, ServiceEnv } from '@parley/runtime';
import { DataSource } from 'typeorm';

interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  author_id: string;
  author_role: Role;
  type: 'message' | 'note';
  body: string;
  via: MessageVia;
  created_at: Date;
  attachments: AttachmentRef[] | null;
  receipts: Array<{ recipientId: string; deliveredAt: string | null; readAt: string | null }>;
}

const iso = (at: string | null) => (at === null ? null : new Date(at).toISOString());

/** How often, and for how long at most, history waits to have stored what an export names. */
export const CATCH_UP_RETRY_MS = 500;
export const CATCH_UP_MAX_MS = 5 * 60_000;

/**
 * History's part of a customer's export: every stored message and note of their conversations
 * (notes marked internal), with each message's receipts and its attachments' metadata.
 */
@Injectable()
export class HistoryExport implements OnModuleInit {
  private readonly log = new Logger(HistoryExport.name);
  private bucket: ObjectStore;
  /** When this process first found itself behind an export, by export id. */
  private readonly behindSince = new Map<string, number>();

  constructor(
    private readonly db: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceEnv,
  ) {}

  async onModuleInit(): Promise<void> {
    this.bucket = await openExportsBucket(this.nc, this.config.PARLEY_STREAM_REPLICAS);
  }

  /**
   * Writes the part once history has stored every conversation up to the seq the export names:
   * their events travel in their own partitions and may come after the export's, for one after
   * history was down. It waits in place (RetryLater, never dead-lettered), and at most
   * CATCH_UP_MAX_MS, so that an event published out of order cannot hold the partition for good.
   * A redelivered event writes the part again, as it is then.
   */
  async write(request: CustomerExportRequestedData, now = Date.now()): Promise<void> {
    const behind = await this.behind(request);
    if (behind.length) {
      const since = this.behindSince.get(request.exportId) ?? now;
      this.behindSince.set(request.exportId, since);
      if (now - since < CATCH_UP_MAX_MS)
        throw new RetryLater(
          CATCH_UP_RETRY_MS,
          `export ${request.exportId}: conversations ${behind.join(', ')} not stored up to their last seq yet`,
        );
    }
    this.behindSince.delete(request.exportId);
    const part: HistoryExportPart = {
      exportId: request.exportId,
      customerId: request.customerId,
      writtenAt: new Date().toISOString(),
      messages: await this.messages(request.conversationIds),
    };
    await this.bucket.putBlob(
      { name: exportObjectName(request.customerId, request.exportId, 'history') },
      Buffer.from(JSON.stringify(part)),
    );
    this.log.log(
      `export ${request.exportId}: history part written, ${part.messages.length} messages and notes`,
    );
  }

  /** The conversations whose messages history has not stored up to the seq the export names. */
  async behind(request: CustomerExportRequestedData): Promise<string[]> {
    const lastSeqs = request.lastSeqs ?? {};
    const rows: Array<{ conversation_id: string; seq: number }> = await this.db.query(
      `SELECT conversation_id, max(seq) AS seq FROM history.messages
        WHERE conversation_id = ANY($1::text[]) GROUP BY conversation_id`,
      [Object.keys(lastSeqs)],
    );
    const stored = new Map(rows.map((row) => [row.conversation_id, row.seq]));
    return Object.entries(lastSeqs)
      .filter(([id, seq]) => (stored.get(id) ?? 0) < seq)
      .map(([id]) => id);
  }

  /** Receipts as `GET /v1/messages/{id}` gives them (ReceiptRepository.of), for every message at once. */
  async messages(conversationIds: string[]): Promise<ExportedMessage[]> {
    const rows: MessageRow[] = await this.db.query(
      `SELECT m.id, m.conversation_id, m.seq, m.author_id, m.author_role, m.type, m.body, m.via,
              m.created_at, m.attachments,
              COALESCE((
                SELECT json_agg(json_build_object('recipientId', x.recipient_id,
                                                  'deliveredAt', COALESCE(x.delivered_at, x.read_at),
                                                  'readAt', x.read_at) ORDER BY x.recipient_id)
                  FROM (SELECT COALESCE(d.recipient_id, r.recipient_id) AS recipient_id, d.delivered_at, r.read_at
                          FROM (SELECT recipient_id, delivered_at FROM history.delivery_receipts
                                 WHERE message_id = m.id) d
                          FULL JOIN (SELECT reader_id AS recipient_id, min(read_at) AS read_at
                                       FROM history.read_receipts
                                      WHERE conversation_id = m.conversation_id AND seq >= m.seq
                                      GROUP BY reader_id) r ON r.recipient_id = d.recipient_id) x
                 WHERE x.recipient_id <> m.author_id), '[]') AS receipts
         FROM history.messages m
        WHERE m.conversation_id = ANY($1::text[])
        ORDER BY m.conversation_id, m.seq`,
      [conversationIds],
    );
    return rows.map((row) => ({
      id: row.id,
      conversationId: row.conversation_id,
      seq: row.seq,
      authorId: row.author_id,
      authorRole: row.author_role,
      internal: row.type === 'note',
      type: row.type,
      body: row.body,
      via: row.via,
      createdAt: row.created_at.toISOString(),
      attachments: row.attachments ?? [],
      receipts: row.receipts.map((r) => ({
        recipientId: r.recipientId,
        deliveredAt: iso(r.deliveredAt),
        readAt: iso(r.readAt),
      })),
    }));
  }
}
