import { Injectable } from '@nestjs/common';
import { PrecheckQuery, PrecheckVerdict, QuerySubjects } from '@parley/contracts';
import { BrokerUnavailable, JetStreamPublisher, QueryRejected } from '@parley/jetstream';

/**
 * Asks the conversation service whether a write on an existing conversation can succeed, so an
 * unknown id or someone else's conversation is a 404 now rather than a rejection later. When the
 * service is offline (or cannot reach its database) the write is accepted anyway: writes never wait
 * for their consumer.
 */
@Injectable()
export class ConversationPrecheck {
  constructor(private readonly publisher: JetStreamPublisher) {}

  async check(query: PrecheckQuery): Promise<void> {
    try {
      await this.publisher.query<PrecheckVerdict>(QuerySubjects.precheck, query, 2_000);
    } catch (error) {
      // Only a verdict (4xx) blocks the write; a service that cannot answer (offline, or without its
      // database) does not.
      const unanswered =
        error instanceof BrokerUnavailable || (error instanceof QueryRejected && error.status >= 500);
      if (!unanswered) throw error;
    }
  }
}
