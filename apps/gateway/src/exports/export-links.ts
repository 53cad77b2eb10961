import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ExportRequest } from '@parley/contracts';
import { SERVICE_CONFIG } from '@parley/runtime';
import { InvalidLink, LinkSigner } from '@parley/secrets';
import { GatewayEnv } from '../gateway.env';

/** What an export's download link is signed for (libs/secrets), with `{exportId, customerId}`. */
export const EXPORT_LINK_PURPOSE = 'download customer export';

/** Whose export a link opens: what its signature vouches for. */
export interface ExportLink {
  exportId: string;
  customerId: string;
}

/**
 * The signed URL of a ready export: handed to whoever may see the export's status, so the archive
 * downloads without a bearer header (a plain link in the widget), and stops working soon after.
 */
@Injectable()
export class ExportLinks {
  private readonly signer: LinkSigner;
  private readonly ttlMs: number;

  constructor(@Inject(SERVICE_CONFIG) config: GatewayEnv) {
    this.signer = LinkSigner.fromKeyRing(config.PARLEY_SECRET_KEY);
    this.ttlMs = config.PARLEY_EXPORT_URL_TTL_SECONDS * 1000;
  }

  url(request: ExportRequest, now = Date.now()): { url: string; urlExpiresAt: string } {
    const expiresAt = new Date(now + this.ttlMs);
    const link: ExportLink = { exportId: request.exportId, customerId: request.customerId };
    const token = this.signer.sign(EXPORT_LINK_PURPOSE, { ...link }, expiresAt);
    return {
      url: `/v1/exports/${request.exportId}/archive?token=${token}`,
      urlExpiresAt: expiresAt.toISOString(),
    };
  }

  /** Whose export `token` opens, if it is a live link to `exportId`: 401 once expired, 403 when not its. */
  check(exportId: string, token: string): ExportLink {
    let signed: Partial<Record<keyof ExportLink, unknown>>;
    try {
      signed = this.signer.verify(EXPORT_LINK_PURPOSE, token);
    } catch (error) {
      if (!(error instanceof InvalidLink)) throw error;
      if (/expired/.test(error.message))
        throw new UnauthorizedException(
          'This download link has expired: ask for the export again (GET /v1/exports/{id}) for a fresh one.',
        );
      throw new ForbiddenException('This download link is not valid: altered, or made for something else.');
    }
    if (signed.exportId !== exportId || typeof signed.customerId !== 'string')
      throw new ForbiddenException('This download link is for another export.');
    return { exportId, customerId: signed.customerId };
  }
}
