import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CustomerExportRequestedData, DomainEvent, EventTypes } from '@parley/contracts';
import { HandleEvent } from '@parley/jetstream';
import { MailExport } from './mail-export';

/** A customer's export was asked for: mail writes its part when its durable consumer gets to it. */
@Controller()
export class MailExportHandler {
  constructor(private readonly exports: MailExport) {}

  @HandleEvent(EventTypes.customerExportRequested)
  async exportRequested(@Payload() event: DomainEvent<CustomerExportRequestedData>): Promise<void> {
    await this.exports.write(event.data);
  }
}
