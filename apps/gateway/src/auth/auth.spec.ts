import { JwtService } from '@nestjs/jwt';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@parley/contracts';
import { GatewayEnv } from '../gateway.env';
import { jwtOptions, TokenService } from './auth';
import { TokenVersions } from './token-versions';

const config = {
  PARLEY_JWT_SECRET: 'unit-jwt-secret-0123456789abcdef0123456789',
  PARLEY_ADMIN_TOKEN: 'unit-admin-token-0123456789',
  PARLEY_TOKEN_TTL_SECONDS: 900,
  PARLEY_ACCESS_TOKEN_TTL_SECONDS: 900,
  PARLEY_EVENT_RETENTION_DAYS: 7,
  PARLEY_ADMIN_TOKEN_ENABLED: 'true',
} as GatewayEnv;

describe('TokenService', () => {
  const jwt = new JwtService(jwtOptions(config));
  let versions: TokenVersions;
  let tokens: TokenService;
  const ada = { id: 'ada', role: 'agent' as const };

  beforeEach(() => {
    versions = new TokenVersions();
    tokens = new TokenService(jwt, versions, config);
  });

  it('verifies the tokens it issues, with exp, aud and iss', () => {
    const token = tokens.issue(ada);
    expect(tokens.verify(token)).toEqual(ada);
    expect(jwt.decode(token)).toMatchObject({
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
      exp: expect.any(Number),
    });
  });

  it.each([
    ['exp', { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE }],
    ['aud', { issuer: TOKEN_ISSUER, expiresIn: 60 }],
    ['iss', { audience: TOKEN_AUDIENCE, expiresIn: 60 }],
  ])('refuses a token without %s', (_, options) => {
    expect(tokens.verify(jwt.sign({ role: 'agent', ver: 0 }, { subject: 'ada', ...options }))).toBeNull();
  });

  it('refuses a token of another issuer or audience', () => {
    const claims = { role: 'agent', ver: 0 };
    const full = { subject: 'ada', expiresIn: 60 };
    expect(
      tokens.verify(jwt.sign(claims, { ...full, issuer: 'other', audience: TOKEN_AUDIENCE })),
    ).toBeNull();
    expect(tokens.verify(jwt.sign(claims, { ...full, issuer: TOKEN_ISSUER, audience: 'other' }))).toBeNull();
  });

  it('gives an admin agent the admin role, a supervisor the agent role', () => {
    expect(tokens.verify(tokens.issueAccess('ada', 'admin', 0))).toEqual({ id: 'ada', role: 'admin' });
    expect(tokens.verify(tokens.issueAccess('bob', 'supervisor', 0))).toEqual({ id: 'bob', role: 'agent' });
  });

  it('issues an agent’s API token for PARLEY_TOKEN_TTL_SECONDS, and never past the retention of revocations', () => {
    const lifetime = (service: TokenService) => {
      const { iat, exp } = jwt.decode(service.issueAgentApiToken('ada'));
      return exp - iat;
    };
    expect(lifetime(tokens)).toBe(900);
    const long = { ...config, PARLEY_TOKEN_TTL_SECONDS: 30 * 24 * 3600 } as GatewayEnv;
    expect(lifetime(new TokenService(jwt, versions, long))).toBe(7 * 24 * 3600);
    expect(tokens.verify(tokens.issueAgentApiToken('ada'))).toEqual(ada);
  });

  it('accepts the admin token only while it is enabled', () => {
    expect(tokens.verify(config.PARLEY_ADMIN_TOKEN)).toEqual({ id: 'admin', role: 'admin' });
    const off = new TokenService(jwt, versions, {
      ...config,
      PARLEY_ADMIN_TOKEN_ENABLED: 'false',
    } as GatewayEnv);
    expect(off.verify(config.PARLEY_ADMIN_TOKEN)).toBeNull();
  });

  it('refuses a remembered token once its principal’s version moved past it, and issues valid ones after', () => {
    const token = tokens.issue(ada);
    expect(tokens.verify(token)).toEqual(ada);
    versions.advance('ada', 1);
    expect(tokens.verify(token)).toBeNull();
    expect(tokens.verify(tokens.issue(ada))).toEqual(ada);
    versions.advance('ada', 0);
    expect(tokens.verify(token)).toBeNull();
  });
});
