import { randomBytes } from 'node:crypto';
import { InvalidLink, LinkSigner } from './link-signer';

const key = (kid: string) => `${kid}:${randomBytes(32).toString('base64')}`;

describe('LinkSigner', () => {
  const old = key('k1');
  const signer = LinkSigner.fromKeyRing(old);

  it('gives back the payload of a token it made, for the same purpose only', () => {
    const token = signer.sign('rate', { conversationId: 'c1' });
    expect(signer.verify('rate', token)).toEqual({ conversationId: 'c1' });
    expect(() => signer.verify('unsubscribe', token)).toThrow(InvalidLink);
  });

  it('refuses an altered payload, a foreign key and an expired token', () => {
    const token = signer.sign('rate', { conversationId: 'c1' }, new Date(Date.now() + 60_000));
    const [, kid, mac] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ conversationId: 'c2' })).toString('base64url')}.${kid}.${mac}`;
    expect(() => signer.verify('rate', forged)).toThrow(InvalidLink);
    expect(() => LinkSigner.fromKeyRing(key('k1')).verify('rate', token)).toThrow(InvalidLink);
    expect(() => signer.verify('rate', token, new Date(Date.now() + 61_000))).toThrow('expired');
    expect(() => signer.verify('rate', 'not.a.token.at-all')).toThrow(InvalidLink);
  });

  it('verifies what an older key of the ring made, and makes new ones under the first', () => {
    const token = signer.sign('rate', { conversationId: 'c1' });
    const tag = signer.tag('reply', 'c1');
    const rotated = LinkSigner.fromKeyRing(`${key('k2')},${old}`);
    expect(rotated.verify('rate', token)).toEqual({ conversationId: 'c1' });
    expect(rotated.verifyTag('reply', 'c1', tag)).toBe(true);
    expect(rotated.sign('rate', {}).split('.')[1]).toBe('k2');
  });

  it('makes short lowercase tags that survive case folding and refuses another value or a short tag', () => {
    const tag = signer.tag('reply', 'c1');
    expect(tag).toMatch(/^[0-9a-f]{24}$/);
    expect(signer.verifyTag('reply', 'c1', tag.toUpperCase())).toBe(true);
    expect(signer.verifyTag('reply', 'c2', tag)).toBe(false);
    expect(signer.verifyTag('reply', 'c1', tag.slice(0, 8))).toBe(false);
  });
});
