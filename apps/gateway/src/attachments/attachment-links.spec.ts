import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { AttachmentView } from '@parley/contracts';
import { DEV_SECRET_KEY } from '@parley/runtime';
import { GatewayEnv } from '../gateway.env';
import { AttachmentLinks } from './attachment-links';

const links = new AttachmentLinks({
  PARLEY_SECRET_KEY: DEV_SECRET_KEY,
  PARLEY_ATTACHMENT_URL_TTL_SECONDS: 60,
} as GatewayEnv);
const tokenOf = (url: string) => new URL(url, 'http://gateway').searchParams.get('token') ?? '';

describe('AttachmentLinks', () => {
  it('signs a link that downloads its attachment', () => {
    const url = links.url('f1');
    expect(url).toMatch(/^\/v1\/attachments\/f1\?token=/);
    expect(() => links.check('f1', tokenOf(url))).not.toThrow();
  });

  it('refuses an expired link with 401', () => {
    const url = links.url('f1', Date.now() - 61_000);
    expect(() => links.check('f1', tokenOf(url))).toThrow(UnauthorizedException);
  });

  it('refuses a link to another attachment, or an altered one, with 403', () => {
    const token = tokenOf(links.url('f1'));
    expect(() => links.check('f2', token)).toThrow(ForbiddenException);
    expect(() => links.check('f1', `${token.slice(0, -2)}xx`)).toThrow(ForbiddenException);
  });

  it('gives the attachments of an inbox event’s message a url, and leaves other events alone', () => {
    const created = {
      type: 'message.created',
      data: { attachments: [{ id: 'f1' }] } as Record<string, unknown>,
    };
    const assigned = { type: 'conversation.assigned', data: { agentId: 'a1' } as Record<string, unknown> };
    const [withUrl, other] = links.withEventUrls([created, assigned]);
    expect(withUrl.data.attachments).toEqual([
      { id: 'f1', url: expect.stringMatching(/^\/v1\/attachments\/f1\?token=/) },
    ]);
    expect(other).toBe(assigned);
  });

  it('gives every attachment of a message a url, and leaves messages without any alone', () => {
    const plain = { id: 'm1', attachments: undefined };
    const [withFile, without] = links.withUrls([
      { id: 'm2', attachments: [{ id: 'f1', name: 'a.png', contentType: 'image/png' as const, size: 3 }] },
      plain,
    ]);
    expect((withFile.attachments?.[0] as AttachmentView).url).toMatch(/^\/v1\/attachments\/f1\?token=/);
    expect(without).toBe(plain);
  });
});
