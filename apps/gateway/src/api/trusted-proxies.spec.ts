import { InvalidConfiguration, loadConfig } from '@parley/runtime';
import { GatewayEnv } from '../gateway.env';
import { parseTrustedProxies, trustProxyOption } from './trusted-proxies';

describe('PARLEY_TRUSTED_PROXIES', () => {
  it('takes addresses, CIDR ranges and the named ranges, comma-separated', () => {
    expect(parseTrustedProxies(' 10.0.0.0/8, 192.0.2.7 ,fd00::/8,::1, loopback,uniquelocal')).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
      'fd00::/8',
      '::1',
      'loopback',
      'uniquelocal',
    ]);
    expect(trustProxyOption('')).toBe(false);
    expect(trustProxyOption('10.1.2.3')).toEqual(['10.1.2.3']);
  });

  it.each(['ingress.example.com', '10.0.0', '10.0.0.0/33', '::1/129', '10.0.0.0/8/1', '10.0.0.0/', '1'])(
    'stops the gateway on %p, naming the variable',
    (value) => {
      expect(parseTrustedProxies(value)).toBeUndefined();
      expect(() => loadConfig(GatewayEnv, { PORT: 3000 }, { PARLEY_TRUSTED_PROXIES: value })).toThrow(
        /PARLEY_TRUSTED_PROXIES=.*comma-separated IP addresses or CIDR ranges/,
      );
    },
  );

  it('stops the gateway when the hop count it replaced is still set', () => {
    expect(() => loadConfig(GatewayEnv, { PORT: 3000 }, { PARLEY_TRUST_PROXY_HOPS: '1' })).toThrow(
      InvalidConfiguration,
    );
    expect(() => loadConfig(GatewayEnv, { PORT: 3000 }, { PARLEY_TRUST_PROXY_HOPS: '1' })).toThrow(
      /PARLEY_TRUST_PROXY_HOPS is no longer read: list the proxies in PARLEY_TRUSTED_PROXIES/,
    );
    expect(
      loadConfig(GatewayEnv, { PORT: 3000 }, { PARLEY_TRUSTED_PROXIES: '10.0.0.0/8' }).PARLEY_TRUSTED_PROXIES,
    ).toBe('10.0.0.0/8');
  });
});
