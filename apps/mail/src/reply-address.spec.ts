import { randomBytes } from 'node:crypto';
import { LinkSigner } from '@parley/secrets';
import { readReplyAddress, replyAddress } from './reply-address';

const signer = LinkSigner.fromKeyRing(`k1:${randomBytes(32).toString('base64')}`);
const conversationId = '0192f7b2-4e61-7a0c-b5d8-2f3e4a5b6c7d';

describe('reply addresses', () => {
  const address = replyAddress(signer, conversationId, 'reply.example.com');

  it('fits a UUID in the 64-character local part and reads back to its conversation', () => {
    expect(address.split('@')[0].length).toBeLessThanOrEqual(64);
    expect(readReplyAddress(signer, address, 'reply.example.com')).toEqual({ ok: true, conversationId });
  });

  it('survives a mail system that lowercases the whole address', () => {
    const lowered = replyAddress(signer, 'conv-abc', 'x.test').toLowerCase();
    expect(readReplyAddress(signer, lowered, 'X.test')).toEqual({ ok: true, conversationId: 'conv-abc' });
  });

  it('refuses another conversation under the same tag, another domain and anything else', () => {
    const tag = /\.([0-9a-f]+)@/.exec(address)?.[1];
    expect(
      readReplyAddress(signer, `reply+other-conversation.${tag}@reply.example.com`, 'reply.example.com'),
    ).toEqual({
      ok: false,
      reason: 'forged or altered',
    });
    expect(readReplyAddress(signer, address, 'example.org')).toEqual({ ok: false, reason: 'other domain' });
    expect(readReplyAddress(signer, 'support@reply.example.com', 'reply.example.com')).toEqual({
      ok: false,
      reason: 'not a reply address',
    });
    expect(
      readReplyAddress(
        LinkSigner.fromKeyRing(`k1:${randomBytes(32).toString('base64')}`),
        address,
        'reply.example.com',
      ),
    ).toEqual({
      ok: false,
      reason: 'forged or altered',
    });
  });
});
