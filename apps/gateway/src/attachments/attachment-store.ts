import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import type { ObjectInfo, ObjectResult, ObjectStore } from '@nats-io/obj';
import { ATTACHMENTS_BUCKET, AttachmentObjectMetadata } from '@parley/contracts';
import { NATS_CONNECTION, openObjectBucket } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { GatewayEnv } from '../gateway.env';

/** An attachment's object: its info, with the metadata the upload wrote. */
export type AttachmentObject = ObjectInfo & { metadata: AttachmentObjectMetadata };

/** The attachments' JetStream object store, opened (created when missing) at start. */
@Injectable()
export class AttachmentStore implements OnModuleInit {
  private store: ObjectStore;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayEnv,
  ) {}

  async onModuleInit(): Promise<void> {
    this.store = await openObjectBucket(this.nc, {
      bucket: ATTACHMENTS_BUCKET,
      replicas: this.config.PARLEY_STREAM_REPLICAS,
    });
  }

  /** The attachment, or undefined when there is none (or it was deleted). */
  async find(id: string): Promise<AttachmentObject | undefined> {
    const info = await this.store.info(id);
    return info && !info.deleted && info.metadata?.conversationId ? (info as AttachmentObject) : undefined;
  }

  put(
    id: string,
    metadata: AttachmentObjectMetadata,
    bytes: ReadableStream<Uint8Array>,
  ): Promise<ObjectInfo> {
    return this.store.put({ name: id, metadata }, bytes);
  }

  /** The attachment's bytes and info; null when there is none or it was deleted. */
  get(id: string): Promise<ObjectResult | null> {
    return this.store.get(id);
  }

  /** The object's info, a deleted one's marker included; null when there never was one. */
  info(id: string): Promise<ObjectInfo | null> {
    return this.store.info(id);
  }
}

/** The object store's digest (`SHA-256=<base64url>`) as hex. */
export function sha256Hex(info: ObjectInfo): string {
  return Buffer.from(info.digest.replace(/^SHA-256=/, ''), 'base64url').toString('hex');
}
