import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import type { ObjectStore } from '@nats-io/obj';
import {
  ConversationExportPart,
  EXPORT_PARTS,
  EXPORT_REQUEST,
  ExportPart,
  ExportRequest,
  exportObjectName,
  HistoryExportPart,
  MailExportPart,
} from '@parley/contracts';
import { BrokerUnavailable, NATS_CONNECTION, openExportsBucket } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { GatewayEnv } from '../gateway.env';

/** Every part of an export, once each service has written its own. */
export interface ExportParts {
  conversation: ConversationExportPart;
  history: HistoryExportPart;
  mail: MailExportPart;
}

/** The broker not answering is a 503, as for any write or read it cannot serve. */
async function onBroker<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new BrokerUnavailable(`exports object store: ${(error as Error).message}`);
  }
}

/**
 * The exports' object store as the gateway sees it: it records a request, and reads which parts
 * the services have written. It keeps nothing itself: an export's state is what the store holds.
 */
@Injectable()
export class ExportStore implements OnModuleInit {
  private bucket: ObjectStore;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayEnv,
  ) {}

  async onModuleInit(): Promise<void> {
    this.bucket = await openExportsBucket(this.nc, this.config.PARLEY_STREAM_REPLICAS);
  }

  /** Written before the command is sent, so the status resource exists from the 202 on. */
  async record(request: ExportRequest): Promise<void> {
    await onBroker(() =>
      this.bucket.putBlob(
        { name: exportObjectName(request.customerId, request.exportId, EXPORT_REQUEST) },
        Buffer.from(JSON.stringify(request)),
      ),
    );
  }

  /** The request of a customer's export, or undefined when they have none by that id. */
  request(customerId: string, exportId: string): Promise<ExportRequest | undefined> {
    return this.json<ExportRequest>(exportObjectName(customerId, exportId, EXPORT_REQUEST));
  }

  /**
   * Whoever's export this is. Names start with the customer's id, so finding one by its own id
   * reads the bucket's list: exports are few and expire within days.
   */
  async find(exportId: string): Promise<ExportRequest | undefined> {
    const suffix = `/${exportId}/${EXPORT_REQUEST}.json`;
    const objects = await onBroker(() => this.bucket.list());
    const found = objects.find((info) => !info.deleted && info.name.endsWith(suffix));
    return found && this.json<ExportRequest>(found.name);
  }

  /** The parts written so far, in the order of EXPORT_PARTS. */
  async partsIn(request: ExportRequest): Promise<ExportPart[]> {
    const infos = await onBroker(() =>
      Promise.all(
        EXPORT_PARTS.map((part) =>
          this.bucket.info(exportObjectName(request.customerId, request.exportId, part)),
        ),
      ),
    );
    return EXPORT_PARTS.filter((_, i) => infos[i] && !infos[i].deleted);
  }

  /** Every part, or undefined when one is missing (not written yet, expired or erased). */
  async parts(request: ExportRequest): Promise<ExportParts | undefined> {
    const [conversation, history, mail] = await Promise.all(
      EXPORT_PARTS.map((part) =>
        this.json<unknown>(exportObjectName(request.customerId, request.exportId, part)),
      ),
    );
    if (!conversation || !history || !mail) return undefined;
    return {
      conversation: conversation as ConversationExportPart,
      history: history as HistoryExportPart,
      mail: mail as MailExportPart,
    };
  }

  private async json<T>(name: string): Promise<T | undefined> {
    const bytes = await onBroker(() => this.bucket.getBlob(name));
    return bytes ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as T) : undefined;
  }
}
