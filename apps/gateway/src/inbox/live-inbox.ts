import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { liveSubject } from '@parley/contracts';
import { NATS_CONNECTION } from '@parley/jetstream';
import { TokenVersions } from '../auth/token-versions';
import { inboxConnections } from '@parley/observability';

/** A live feed of "something new is in your inbox" for one principal, held by one request. */
export interface LiveFeed {
  /** Resolves when a notification came (or came since the last call), or after `ms`, or at shutdown. */
  next(ms: number): Promise<void>;
  close(): void;
  /** True once the principal's tokens were revoked: a stream must end. */
  readonly revoked: boolean;
}

/**
 * Live notifications from delivery over core NATS (`parley.live.<principalId>`), to whichever
 * gateway replica holds the principal's long-poll or stream. They only say "look now": the inbox in
 * PostgreSQL stays the source of truth, so a lost notification costs latency, never an event.
 */
@Injectable()
export class LiveInbox implements BeforeApplicationShutdown {
  private readonly open = new Set<{ stop: () => void }>();
  private closing = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly versions: TokenVersions,
  ) {}

  get shuttingDown(): boolean {
    return this.closing;
  }

  /** Subscribe before reading the inbox, so nothing that arrives in between is missed. */
  follow(principalId: string, kind: 'stream' | 'long_poll'): LiveFeed {
    inboxConnections.inc({ kind });
    let pending = false;
    let wake: (() => void) | undefined;
    const subscription: Subscription = this.nc.subscribe(liveSubject(principalId), {
      callback: () => {
        pending = true;
        wake?.();
      },
    });
    const handle = {
      stop: () => {
        pending = true;
        wake?.();
      },
    };
    this.open.add(handle);
    let revoked = false;
    const unwatch = this.versions.watch(principalId, () => {
      revoked = true;
      handle.stop();
    });
    return {
      get revoked() {
        return revoked;
      },
      next: (ms: number) => {
        if (pending || this.closing) {
          pending = false;
          return Promise.resolve();
        }
        return new Promise<void>((resolve) => {
          const timer = setTimeout(done, ms);
          function done() {
            clearTimeout(timer);
            wake = undefined;
            pending = false;
            resolve();
          }
          wake = done;
        });
      },
      close: () => {
        if (!this.open.delete(handle)) return;
        inboxConnections.dec({ kind });
        subscription.unsubscribe();
        unwatch();
        wake?.();
      },
    };
  }

  /** Long-polls return and streams end before the HTTP server closes. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const handle of this.open) handle.stop();
  }
}
