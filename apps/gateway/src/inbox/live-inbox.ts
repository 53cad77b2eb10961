import { BeforeApplicationShutdown, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { liveSubject } from '@parley/contracts';
import { NATS_CONNECTION } from '@parley/jetstream';
import { TokenVersions } from '../auth/token-versions';
import { inboxConnections } from '@parley/observability';
import { SERVICE_CONFIG } from '@parley/runtime';
import { GatewayEnv } from '../gateway.env';

/** A live feed of "something new is in your inbox" for one principal, held by one request. */
export interface LiveFeed {
  /** Resolves when a notification came (or came since the last call), or after `ms`, or at shutdown. */
  next(ms: number): Promise<void>;
  close(): void;
  /** True once the principal's tokens were revoked: a stream must end. */
  readonly revoked: boolean;
}

/** Too many streams and long polls are open: answered 429 with `Retry-After`. */
export class TooManyLiveRequests extends HttpException {
  constructor(detail: string) {
    super(detail, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/**
 * Live notifications from delivery over core NATS (`parley.live.<principalId>`), to whichever
 * gateway replica holds the principal's long-poll or stream. They only say "look now": the inbox in
 * PostgreSQL stays the source of truth, so a lost notification costs latency, never an event.
 *
 * Each stream or long poll holds a socket and a subscription for as long as it lasts, so this
 * process caps how many it holds, per principal (`PARLEY_LIVE_INBOX_PER_PRINCIPAL`) and in all
 * (`PARLEY_LIVE_INBOX_PER_PROCESS`). The caps are this process's: its own resources are what they
 * protect.
 */
@Injectable()
export class LiveInbox implements BeforeApplicationShutdown {
  private readonly open = new Set<{ stop: () => void }>();
  private readonly held = new Map<string, number>();
  private closing = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayEnv,
    private readonly versions: TokenVersions,
  ) {}

  get shuttingDown(): boolean {
    return this.closing;
  }

  /**
   * Subscribe before reading the inbox, so nothing that arrives in between is missed. Throws
   * `TooManyLiveRequests` when a cap is reached.
   */
  follow(principalId: string, kind: 'stream' | 'long_poll'): LiveFeed {
    const held = this.held.get(principalId) ?? 0;
    if (held >= this.config.PARLEY_LIVE_INBOX_PER_PRINCIPAL)
      throw new TooManyLiveRequests(
        `At most ${this.config.PARLEY_LIVE_INBOX_PER_PRINCIPAL} streams and long polls may be open at once for one principal; close one first.`,
      );
    if (this.open.size >= this.config.PARLEY_LIVE_INBOX_PER_PROCESS)
      throw new TooManyLiveRequests(
        'This server holds as many streams and long polls as it can; retry shortly.',
      );
    this.held.set(principalId, held + 1);
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
        const left = (this.held.get(principalId) ?? 1) - 1;
        if (left) this.held.set(principalId, left);
        else this.held.delete(principalId);
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
