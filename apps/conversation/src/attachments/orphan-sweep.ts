import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG } from '@parley/runtime';
import { DataSource } from 'typeorm';
import { ConversationEnv } from '../conversation.env';
import { AttachmentCatalog } from './attachment-catalog';
import { AttachmentReferences } from './attachment-references';

const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Deletes attachments no message took within PARLEY_ATTACHMENT_ORPHAN_HOURS of their upload: every
 * ten minutes (and at start), each old enough is claimed in `conversation.attachments` first, so a
 * message that takes it meanwhile keeps it, and one that comes later is rejected. Every process
 * sweeps; a claim is an upsert on the attachment's row, so two of them never disagree.
 */
@Injectable()
export class OrphanSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(OrphanSweep.name);
  private readonly references: AttachmentReferences;
  private readonly orphanAfterMs: number;
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    db: DataSource,
    private readonly catalog: AttachmentCatalog,
    @Inject(SERVICE_CONFIG) config: ConversationEnv,
  ) {
    this.references = new AttachmentReferences(db);
    this.orphanAfterMs = config.PARLEY_ATTACHMENT_ORPHAN_HOURS * 3600_000;
  }

  onApplicationBootstrap(): void {
    const tick = () => {
      this.sweeping = this.sweep()
        .then((deleted) => {
          if (deleted) this.log.log(`deleted ${deleted} attachments no message took`);
        })
        .catch((error: Error) => this.log.warn(`attachment sweep: ${error.message}`))
        .finally(() => {
          this.timer = setTimeout(tick, SWEEP_EVERY_MS);
        });
    };
    tick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    await this.sweeping;
    clearTimeout(this.timer);
  }

  /** Deletes the orphans older than the limit; answers how many. */
  async sweep(now = Date.now()): Promise<number> {
    let deleted = 0;
    for (const object of await this.catalog.all()) {
      if (now - Date.parse(object.mtime) < this.orphanAfterMs) continue;
      if (!(await this.references.claimOrphan(object.name, object.metadata.conversationId))) continue;
      await this.catalog.delete(object.name);
      deleted++;
    }
    return deleted;
  }
}
