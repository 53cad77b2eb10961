import { Injectable } from '@nestjs/common';
import { DomainEvent, eventSubject } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';

/**
 * Emits domain events after the state they describe is committed. Event ids are deterministic, so
 * re-emitting after a crash between commit and publish is deduplicated by JetStream and consumers.
 */
@Injectable()
export class DomainEvents {
  constructor(private readonly publisher: JetStreamPublisher) {}

  async emit(...events: DomainEvent<object>[]): Promise<void> {
    for (const event of events) await this.publisher.publish(eventSubject(event.type), event, event.id);
  }
}
