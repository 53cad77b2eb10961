import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { QuerySubjects, SiteCredentials } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { SecretBox } from '@parley/secrets';
import { TtlCache } from '../api/ttl-cache';
import { GatewayEnv } from '../gateway.env';

/**
 * How long a gateway process uses a site's secret before asking for it again: the longest an old
 * secret still verifies on some process after a rotation was applied, and the new one does not yet.
 */
export const SITE_SECRET_CACHE_MS = 2_000;
const REMEMBER_SITES_AT_MOST = 1_000;

/** A site as the gateway signs its visitors in: whether it takes anonymous ones, and its key. */
export interface SiteKey {
  siteId: string;
  allowAnonymous: boolean;
  /** The identity-verification secret's bytes: the HMAC key of the site's identity tokens. */
  key: Buffer;
}

/**
 * Sites' identity-verification secrets: made and sealed here, kept sealed by the conversation
 * service, and opened only here, in memory, to verify identity tokens. Each process asks for a site
 * again after SITE_SECRET_CACHE_MS, so a rotation reaches every gateway process within that time
 * without any message to them.
 */
@Injectable()
export class SiteDirectory {
  private readonly box: SecretBox;
  private readonly keys = new TtlCache<SiteKey>(REMEMBER_SITES_AT_MOST);

  constructor(
    private readonly publisher: JetStreamPublisher,
    @Inject(SERVICE_CONFIG) config: GatewayEnv,
  ) {
    this.box = SecretBox.fromKeyRing(config.PARLEY_SECRET_KEY);
  }

  /** A new secret, in clear for the admin to copy once, and sealed for its command. */
  newSecret(): { secret: string; sealedSecret: string } {
    const secret = `psite_${randomBytes(32).toString('base64url')}`;
    return { secret, sealedSecret: this.box.seal(secret) };
  }

  /** The site's key; a 404 problem when there is no such site, 503 when nobody answers. */
  async keyOf(siteId: string): Promise<SiteKey> {
    const known = this.keys.get(siteId);
    if (known) return known;
    const credentials = await this.publisher.query<SiteCredentials>(QuerySubjects.siteCredentials, {
      siteId,
    });
    const site = {
      siteId,
      allowAnonymous: credentials.allowAnonymous,
      key: Buffer.from(this.box.open(credentials.sealedSecret)),
    };
    this.keys.set(siteId, site, Date.now() + SITE_SECRET_CACHE_MS);
    return site;
  }
}
