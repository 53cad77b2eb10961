import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CustomerExportRequestedData, DomainEvent, EventTypes } from '@parley/contracts';
import { HandleEvent } from '@parley/jetstream';
import { HistoryExport } from './history-export';

/** A customer's export was asked for: history writes its part when its durable consumer gets to it. */
@Controller()
export class HistoryExportHandler {
  constructor(private readonly exports: HistoryExport) {}

  @HandleEvent(EventTypes.customerExportRequested)
  async exportRequested(@Payload() event: DomainEvent<CustomerExportRequestedData>): Promise<void> {
    await this.exports.write(event.data);
  }
}
