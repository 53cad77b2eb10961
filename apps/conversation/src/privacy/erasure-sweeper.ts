import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { Objm } from '@nats-io/obj';
import { ATTACHMENTS_BUCKET, ErasureStore, NAMESPACE } from '@parley/contracts';
import { ContentKeys, NATS_CONNECTION } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { eraseObjects, objectsNamed } from './erased-objects';
import { ErasureRepository, UnfinishedErasure } from './erasure.repository';

/** Where exports are kept (part D's `exportsBucket()`): objects `<customerId>/<exportId>/<part>`. */
export const EXPORTS_BUCKET = `${NAMESPACE}-exports`;

/** The stores the conversation service erases itself, after the erasure's transaction committed. */
export const SWEPT_STORES: readonly ErasureStore[] = ['attachments', 'exports', 'streams'];

const SWEEP_EVERY_MS = 5_000;
const BATCH = 50;

/**
 * Finishes what an erasure's transaction cannot do itself: deletes the attachments' objects and the
 * customer's exports from their object stores and destroys the content keys of the customer and
 * their conversations, recording each store as it is done. It runs right after an erasure commits
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
    db: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly keys: ContentKeys,
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
    for (const erasure of await this.erasures.unfinished(SWEPT_STORES, BATCH)) {
      for (const store of SWEPT_STORES) {
        if (erasure.erased.includes(store)) continue;
        const count = await this.erase(store, erasure);
        await this.erasures.confirm(erasure.id, store, new Date(), count);
      }
      this.log.log(`erasure ${erasure.id}: attachments, exports and content keys erased`);
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
        const { store: bucket, names } = await objectsNamed(
          this.nc,
          EXPORTS_BUCKET,
          `${erasure.customerId}/`,
        );
        return bucket ? eraseObjects(this.nc, bucket, EXPORTS_BUCKET, names) : 0;
      }
      case 'streams':
        await this.keys.destroy([
          { kind: 'customer', id: erasure.customerId },
          ...erasure.conversationIds.map((id) => ({ kind: 'conversation' as const, id })),
        ]);
        return null;
      default:
        throw new Error(`the sweeper does not erase ${store}`);
    }
  }
}
