import { randomBytes } from 'node:crypto';
import { isSealed, keyRingProblem, SecretBox } from './secret-box';

const key = () => randomBytes(32).toString('base64');

describe('SecretBox', () => {
  const k1 = key();
  const k2 = key();
  const box = SecretBox.fromKeyRing(`k1:${k1}`);

  it('opens what it sealed, and never seals the same secret to the same value', () => {
    const a = box.seal('whsec_c2VjcmV0');
    const b = box.seal('whsec_c2VjcmV0');
    expect(a).not.toBe(b);
    expect(a).not.toContain('c2VjcmV0');
    expect(isSealed(a)).toBe(true);
    expect(box.open(a)).toBe('whsec_c2VjcmV0');
    expect(SecretBox.keyIdOf(a)).toBe('k1');
  });

  it('refuses a value that was altered, or moved under another key id', () => {
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4], 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([...parts.slice(0, 4), flipped.toString('base64url')].join('.'))).toThrow();
    const both = SecretBox.fromKeyRing(`k1:${k1},k2:${k1}`);
    expect(() => both.open(sealed.replace('.k1.', '.k2.'))).toThrow();
  });

  it('after rotation seals under the new key and still opens values sealed under the old one', () => {
    const old = box.seal('older secret');
    const rotated = SecretBox.fromKeyRing(`k2:${k2},k1:${k1}`);
    expect(rotated.open(old)).toBe('older secret');
    expect(SecretBox.keyIdOf(rotated.seal('new'))).toBe('k2');
    expect(() => SecretBox.fromKeyRing(`k2:${k2}`).open(old)).toThrow(/key k1/);
  });

  it('opens a value sealed with a context only with that same context', () => {
    const sealed = box.seal('data key', 'content-key:conversation:c1:1');
    expect(box.open(sealed, 'content-key:conversation:c1:1')).toBe('data key');
    expect(() => box.open(sealed, 'content-key:conversation:c2:1')).toThrow();
    expect(() => box.open(sealed)).toThrow();
    expect(() => box.open(box.seal('data key'), 'content-key:conversation:c1:1')).toThrow();
  });

  it('names the variable its key ring came from', () => {
    const short = Buffer.from('too short').toString('base64');
    expect(() => SecretBox.fromKeyRing(`k1:${short}`, 'PARLEY_CONTENT_KEY')).toThrow(
      /^PARLEY_CONTENT_KEY: key k1/,
    );
    const old = box.seal('older secret');
    expect(() => SecretBox.fromKeyRing(`k2:${k2}`, 'PARLEY_CONTENT_KEY').open(old)).toThrow(
      /PARLEY_CONTENT_KEY does not hold/,
    );
  });

  it('refuses a plain value as sealed', () => {
    expect(() => box.open('whsec_plain')).toThrow(/not a sealed secret/);
  });

  it('names what is wrong with a key ring without quoting its keys', () => {
    const short = Buffer.from('too short').toString('base64');
    expect(keyRingProblem(`k1:${short}`)).toBe('key k1 is 9 bytes, not 32');
    expect(keyRingProblem(k1)).toMatch(/no key id/);
    expect(keyRingProblem(`k1:${k1},k1:${k2}`)).toBe('key id k1 appears twice');
    expect(keyRingProblem(`k1:${k1},k2:${k2}`)).toBeUndefined();
    expect(() => SecretBox.fromKeyRing(`k1:${short}`)).toThrow(/PARLEY_SECRET_KEY: key k1 is 9 bytes/);
    try {
      SecretBox.fromKeyRing(`k1:${short}`);
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
  });
});
