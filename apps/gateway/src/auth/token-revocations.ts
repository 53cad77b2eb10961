import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConsumerMessages, DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  anyPartitionSubject,
  DomainEvent,
  eventSubject,
  EventTypes,
  StreamNames,
  TokensRevokedData,
} from '@parley/contracts';
import { NATS_CONNECTION } from '@parley/jetstream';
import { TokenVersions } from './token-versions';

/**
 * Every gateway process follows `agent.tokens_revoked` from the start of the events stream with an
 * ordered consumer of its own (nothing durable, nothing shared), and moves the agent's token
 * version on as each arrives: a revoked token is refused within moments on every process, and no
 * request looks anything up. The stream keeps events longer than an access token lives, so a
 * process that starts later still learns every revocation that matters.
 */
@Injectable()
export class TokenRevocations implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(TokenRevocations.name);
  private messages?: ConsumerMessages;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly versions: TokenVersions,
  ) {}

  /** Serves only once the revocations already stored are known, so none is missed at start. */
  async onApplicationBootstrap(): Promise<void> {
    const consumer = await jetstream(this.nc).consumers.get(StreamNames.events, {
      filter_subjects: anyPartitionSubject(eventSubject(EventTypes.tokensRevoked)),
      deliver_policy: DeliverPolicy.All,
    });
    const backlog = (await consumer.info()).num_pending;
    const messages = await consumer.consume();
    this.messages = messages;
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    if (backlog === 0) caughtUp();
    void (async () => {
      for await (const m of messages) {
        const { data } = m.json<DomainEvent<TokensRevokedData>>();
        this.versions.advance(data.agentId, data.tokenVersion);
        if (m.info.pending === 0) caughtUp();
      }
    })().catch((error: unknown) => this.log.error(`following token revocations stopped: ${String(error)}`));
    await ready;
  }

  beforeApplicationShutdown(): void {
    this.messages?.stop();
  }
}
