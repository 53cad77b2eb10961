import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { Objm } from '@nats-io/obj';
import { ATTACHMENTS_BUCKET, ErasureStore, exportsBucket } from '@parley/contracts';
import { ContentKeys, NATS_CONNECTION, openExportsBucket } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { DataSource } from 'typeorm';
import { ConversationEnv } from '../conversation.env';
import { eraseObjects } from './erased-objects';
import { ErasureRepository, UnfinishedErasure } from './erasure.repository';

/** What the conversation service erases itself, after the erasure's transaction committed. */
export const SWEPT_STORES: readonly ErasureStore[] = ['attachments', 'streams', 'exports'];

/**
 * History and mail write parts of exports from what they hold: the exports go once both erased
 * theirs, so a part written from before their erasure is deleted with the rest.
 */
const EXPORTS_AFTER = { store: 'exports', waitsFor: ['history', 'mail'] } as const;

const SWEEP_EVERY_MS = 5_000;
const BATCH = 50;

/**
 * Finishes what an erasure's transaction cannot do itself: deletes the attachments' objects,
 * destroys the content keys of the customer and their conversations and, once history and mail
 * erased their part, deletes the customer's exports, recording each store as it is done. It runs right after an erasure commits
 * and every few seconds, in every process, so a crash in between leaves nothing half done; each
 * step is idempotent, so two processes sweeping the same erasure agree.
 */
@Injectable()
export class ErasureSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ErasureSweeper.name);
  private readonly erasures: ErasureRepository;
  private timer?: NodeJS.Timeout;
  private sweeping: Promise<void> = Promise.resolve();
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly keys: ContentKeys,
    @Inject(SERVICE_CONFIG) private readonly config: ConversationEnv,
  ) {
    this.erasures = new ErasureRepository(db);
  }

  onApplicationBootstrap(): void {
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  /** Sweeps now (or right after the sweep under way), then on the usual schedule. */
  kick(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.again = true;
    this.sweeping = this.sweeping.then(async () => {
      if (!this.again || this.stopped) return;
      this.again = false;
      await this.sweep().catch((error: Error) => this.log.warn(`erasure sweep: ${error.message}`));
      if (!this.stopped) this.timer = setTimeout(() => this.kick(), SWEEP_EVERY_MS);
    });
  }

  async sweep(): Promise<void> {
    const now = SWEPT_STORES.filter((store) => store !== EXPORTS_AFTER.store);
    for (const erasure of await this.erasures.unswept(now, EXPORTS_AFTER, BATCH)) {
      for (const store of SWEPT_STORES) {
        if (erasure.erased.includes(store)) continue;
        const waiting =
          store === EXPORTS_AFTER.store && EXPORTS_AFTER.waitsFor.some((s) => !erasure.erased.includes(s));
        if (waiting) continue;
        const count = await this.erase(store, erasure);
        await this.db.transaction((em) =>
          new ErasureRepository(em).confirm(erasure.id, store, new Date(), count),
        );
      }
    }
  }

  private async erase(store: ErasureStore, erasure: UnfinishedErasure): Promise<number | null> {
    switch (store) {
      case 'attachments': {
        if (!erasure.attachmentIds.length) return 0;
        const bucket = await new Objm(this.nc).open(ATTACHMENTS_BUCKET);
        return eraseObjects(this.nc, bucket, ATTACHMENTS_BUCKET, erasure.attachmentIds);
      }
      case 'exports': {
        // Every object under `<customerId>/` is the customer's (ADR 16).
        const bucket = await openExportsBucket(this.nc, this.config.PARLEY_STREAM_REPLICAS);
        const names = (await bucket.list())
          .map((info) => info.name)
          .filter((name) => name.startsWith(`${erasure.customerId}/`));
        return eraseObjects(this.nc, bucket, exportsBucket(), names);
      }
      case 'streams':
        await this.keys.destroy([
          { kind: 'customer', id: erasure.customerId },
          ...erasure.senderScopeIds.map((id) => ({ kind: 'customer' as const, id })),
          ...erasure.conversationIds.map((id) => ({ kind: 'conversation' as const, id })),
        ]);
        return null;
      default:
        throw new Error(`the sweeper does not erase ${store}`);
    }
  }
}
