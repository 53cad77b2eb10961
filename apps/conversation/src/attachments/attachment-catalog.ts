import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import type { ObjectInfo, ObjectStore } from '@nats-io/obj';
import { ATTACHMENTS_BUCKET, AttachmentObjectMetadata, AttachmentRef } from '@parley/contracts';
import { NATS_CONNECTION, openObjectBucket } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { ConversationEnv } from '../conversation.env';

/** The injection token of `AttachmentFiles` (the catalog; a fake in unit tests). */
export const ATTACHMENT_FILES = Symbol('AttachmentFiles');

/** What the service needs of the attachments' object store. */
export interface AttachmentFiles {
  /** The attachments as a message carries them, or undefined when one is missing or not of `conversationId`. */
  describe(attachmentIds: string[], conversationId: string): Promise<AttachmentRef[] | undefined>;
}

/** An object the upload wrote: its metadata names its conversation. */
export type AttachmentObject = ObjectInfo & { metadata: AttachmentObjectMetadata };

/** The attachments' JetStream object store, as the gateway's uploads fill it. */
@Injectable()
export class AttachmentCatalog implements AttachmentFiles, OnModuleInit {
  private store: ObjectStore;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: ConversationEnv,
  ) {}

  async onModuleInit(): Promise<void> {
    this.store = await openObjectBucket(this.nc, {
      bucket: ATTACHMENTS_BUCKET,
      replicas: this.config.PARLEY_STREAM_REPLICAS,
    });
  }

  async describe(attachmentIds: string[], conversationId: string): Promise<AttachmentRef[] | undefined> {
    const found = await Promise.all(attachmentIds.map((id) => this.store.info(id)));
    const refs: AttachmentRef[] = [];
    for (const info of found) {
      const metadata = info?.metadata as AttachmentObjectMetadata | undefined;
      if (!info || info.deleted || metadata?.conversationId !== conversationId) return undefined;
      refs.push({
        id: info.name,
        name: metadata.fileName,
        contentType: metadata.contentType,
        size: info.size,
      });
    }
    return refs;
  }

  /** Every attachment stored, deleted ones excluded. */
  async all(): Promise<AttachmentObject[]> {
    return (await this.store.list()).filter(
      (info) => !info.deleted && info.metadata?.conversationId,
    ) as AttachmentObject[];
  }

  async delete(attachmentId: string): Promise<void> {
    await this.store.delete(attachmentId);
  }
}
