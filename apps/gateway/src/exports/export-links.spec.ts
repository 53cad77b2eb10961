import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { DEV_SECRET_KEY } from '@parley/runtime';
import { LinkSigner } from '@parley/secrets';
import { GatewayEnv } from '../gateway.env';
import { EXPORT_LINK_PURPOSE, ExportLinks } from './export-links';

const links = new ExportLinks({
  PARLEY_SECRET_KEY: DEV_SECRET_KEY,
  PARLEY_EXPORT_URL_TTL_SECONDS: 60,
} as GatewayEnv);
const request = {
  exportId: 'e1',
  customerId: 'c1',
  requestedBy: { kind: 'admin' as const, id: 'admin' },
  requestedAt: '2026-12-07T22:00:00.000Z',
};
const tokenOf = (url: string) => new URL(url, 'http://gateway').searchParams.get('token') ?? '';

describe('ExportLinks', () => {
  it('signs a link that opens its export, and names whose it is', () => {
    const now = Date.now();
    const { url, urlExpiresAt } = links.url(request, now);
    expect(url).toMatch(/^\/v1\/exports\/e1\/archive\?token=/);
    expect(urlExpiresAt).toBe(new Date(now + 60_000).toISOString());
    expect(links.check('e1', tokenOf(url))).toEqual({ exportId: 'e1', customerId: 'c1' });
  });

  it('refuses an expired link with 401', () => {
    const { url } = links.url(request, Date.now() - 61_000);
    expect(() => links.check('e1', tokenOf(url))).toThrow(UnauthorizedException);
  });

  it('refuses a link to another export, an altered one, or one signed for an attachment, with 403', () => {
    const token = tokenOf(links.url(request).url);
    expect(() => links.check('e2', token)).toThrow(ForbiddenException);
    expect(() => links.check('e1', `${token.slice(0, -2)}xx`)).toThrow(ForbiddenException);
    const signer = LinkSigner.fromKeyRing(DEV_SECRET_KEY);
    const other = signer.sign('download attachment', { exportId: 'e1', customerId: 'c1' });
    expect(() => links.check('e1', other)).toThrow(ForbiddenException);
    const noCustomer = signer.sign(EXPORT_LINK_PURPOSE, { exportId: 'e1' });
    expect(() => links.check('e1', noCustomer)).toThrow(ForbiddenException);
  });
});
