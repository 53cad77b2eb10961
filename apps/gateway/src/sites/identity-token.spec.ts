import { JwtService } from '@nestjs/jwt';
import { verifyIdentityToken } from './identity-token';
import type { SiteKey } from './site-directory';

const jwt = new JwtService({});
const site: SiteKey = { siteId: 'site-1', allowAnonymous: false, key: Buffer.from('psite_secret-of-site-1') };
const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: object, secret = 'psite_secret-of-site-1', algorithm: 'HS256' | 'HS512' = 'HS256') =>
  jwt.sign(
    { sub: 'crm-1', iss: 'site-1', aud: 'parley', exp: now() + 300, ...claims },
    { secret, algorithm },
  );

describe('verifyIdentityToken', () => {
  it('takes a token the site signed and gives its visitor', () => {
    expect(verifyIdentityToken(jwt, sign({ name: 'Grace' }), site)).toMatchObject({
      sub: 'crm-1',
      name: 'Grace',
    });
  });

  it.each([
    ['signed with another secret', sign({}, 'psite_secret-of-site-2'), /invalid signature/],
    ['issued for another site', sign({ iss: 'site-2' }), /issuer invalid/],
    ['for another audience', sign({ aud: 'elsewhere' }), /audience invalid/],
    ['expired', sign({ exp: now() - 120 }), /expired/],
    [
      'without exp',
      jwt.sign({ sub: 'crm-1', iss: 'site-1', aud: 'parley' }, { secret: 'psite_secret-of-site-1' }),
      /no exp/,
    ],
    ['expiring in two hours', sign({ exp: now() + 7200 }), /more than 3600 seconds ahead/],
    ['signed with another algorithm', sign({}, undefined, 'HS512'), /invalid algorithm/],
  ])('refuses a token %s with 401', (_, token, why) => {
    let refusal: unknown;
    try {
      verifyIdentityToken(jwt, token, site);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ status: 401, message: expect.stringMatching(why) });
    expect((refusal as Error).message).not.toContain('psite_');
  });
});
