import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { TYPING_SUBJECT_PREFIX, typingSubject, TypingSignal } from '@parley/contracts';
import { NATS_CONNECTION } from '@parley/jetstream';

export type TypingListener = (signal: TypingSignal) => void;

/**
 * Typing signals between gateway processes, over core NATS only (`parley.typing.<conversationId>`):
 * ephemeral, never stored, so one lost costs a moment of "… is typing", nothing else. Each process
 * holds one subscription to all of them and hands a signal to the streams it holds for the
 * signal's recipients, whichever process the typist reached.
 */
@Injectable()
export class TypingRelay implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TypingRelay.name);
  private readonly listeners = new Map<string, Set<TypingListener>>();
  private subscription: Subscription | undefined;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(`${TYPING_SUBJECT_PREFIX}.>`, {
      callback: (error, msg) => {
        if (error) return;
        try {
          this.dispatch(msg.json<TypingSignal>());
        } catch {
          this.logger.warn(`A typing signal on ${msg.subject} was not JSON; ignored.`);
        }
      },
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  publish(signal: TypingSignal): void {
    this.nc.publish(typingSubject(signal.conversationId), JSON.stringify(signal));
  }

  /** Calls `listener` with every typing signal addressed to `principalId` until the returned stop. */
  listen(principalId: string, listener: TypingListener): () => void {
    const set = this.listeners.get(principalId) ?? new Set<TypingListener>();
    set.add(listener);
    this.listeners.set(principalId, set);
    return () => {
      set.delete(listener);
      if (!set.size && this.listeners.get(principalId) === set) this.listeners.delete(principalId);
    };
  }

  private dispatch(signal: TypingSignal): void {
    if (!Array.isArray(signal.recipients)) return;
    for (const recipient of signal.recipients)
      for (const listener of this.listeners.get(recipient) ?? []) listener(signal);
  }
}
