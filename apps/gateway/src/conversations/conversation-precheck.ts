import { Injectable } from '@nestjs/common';
import { PrecheckQuery, PrecheckVerdict, QuerySubjects } from '@parley/contracts';
import { JetStreamPublisher, unanswered } from '@parley/jetstream';
import { TtlCache } from '../api/ttl-cache';

/**
 * Asks the conversation service whether a write on an existing conversation can succeed, so an
 * unknown id or someone else's conversation is a 404 now rather than a rejection later. When the
 * service is offline (or cannot reach its database) the write is accepted anyway: writes never wait
 * for their consumer.
 */
const REMEMBER_MS = 60_000;
const REMEMBER_AT_MOST = 50_000;

@Injectable()
export class ConversationPrecheck {
  /**
   * Who may write into which conversation does not change (its customer is fixed, agents may write
   * into any), so an `ok` without agent or seq to check is remembered for a minute: a customer
   * writing a stream of messages does not wait on the conversation service for each one.
   */
  private readonly allowed = new TtlCache<true>(REMEMBER_AT_MOST);

  constructor(private readonly publisher: JetStreamPublisher) {}

  async check(query: PrecheckQuery): Promise<void> {
    const plain = query.agentId === undefined && query.seq === undefined;
    const key = `${query.principal.id}\n${query.conversationId}`;
    if (plain && this.allowed.get(key)) return;
    try {
      const { verdict } = await this.publisher.query<PrecheckVerdict>(QuerySubjects.precheck, query, 2_000);
      if (plain && verdict === 'ok') this.allowed.set(key, true, Date.now() + REMEMBER_MS);
    } catch (error) {
      // Only a verdict (4xx) blocks the write; a service that cannot answer does not.
      if (!unanswered(error)) throw error;
    }
  }
}
