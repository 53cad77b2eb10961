import { Controller, Inject, Logger, OnModuleInit } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/nats-core';
import type { ObjectStore } from '@nats-io/obj';
import {
  ConversationExportPart,
  CustomerExportRequestedData,
  DomainEvent,
  eventId,
  EventTypes,
  exportObjectName,
  ExportCustomer,
} from '@parley/contracts';
import { HandleCommand, JetStreamContext, NATS_CONNECTION, openExportsBucket } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { ConversationEnv } from '../conversation.env';
import { CommandTransaction } from '../events/command-transaction';
import { CustomerExportRepository } from './customer-export.repository';

/**
 * Starts a customer's export: writes this service's part (profile, conversations, ratings) into
 * the exports' object store and announces the export, naming the conversations, so that history
 * and mail write theirs whenever their durable consumers get to it.
 */
@Controller()
export class ExportCustomerHandler implements OnModuleInit {
  private readonly log = new Logger(ExportCustomerHandler.name);
  private bucket: ObjectStore;

  constructor(
    private readonly tx: CommandTransaction,
    private readonly exports: CustomerExportRepository,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: ConversationEnv,
  ) {}

  async onModuleInit(): Promise<void> {
    this.bucket = await openExportsBucket(this.nc, this.config.PARLEY_STREAM_REPLICAS);
  }

  @HandleCommand(ExportCustomer)
  handle(@Payload() cmd: ExportCustomer, @Ctx() ctx: JetStreamContext): Promise<void> {
    // The part is written before the claim commits: a crash in between writes the same object
    // again on redelivery, and the event goes out only with the claim.
    return this.tx.run(ctx, () => this.apply(cmd));
  }

  async apply(cmd: ExportCustomer): Promise<DomainEvent<CustomerExportRequestedData>[]> {
    const part: ConversationExportPart = {
      exportId: cmd.exportId,
      customerId: cmd.customerId,
      writtenAt: new Date().toISOString(),
      customer: await this.exports.customer(cmd.customerId),
      conversations: await this.exports.conversations(cmd.customerId),
    };
    await this.bucket.putBlob(
      { name: exportObjectName(cmd.customerId, cmd.exportId, 'conversation') },
      Buffer.from(JSON.stringify(part)),
    );
    this.log.log(
      `export ${cmd.exportId} asked by ${cmd.issuedBy.role} ${cmd.issuedBy.id}: conversation part written, ${part.conversations.length} conversations`,
    );
    const data: CustomerExportRequestedData = {
      exportId: cmd.exportId,
      customerId: cmd.customerId,
      conversationIds: part.conversations.map((c) => c.id),
      requestedBy: { kind: cmd.issuedBy.role, id: cmd.issuedBy.id },
      lastSeqs: Object.fromEntries(part.conversations.map((c) => [c.id, c.lastSeq])),
    };
    return [
      {
        id: eventId(EventTypes.customerExportRequested, cmd.exportId),
        type: EventTypes.customerExportRequested,
        customerId: cmd.customerId,
        occurredAt: cmd.acceptedAt,
        data,
      },
    ];
  }
}
