import { isIP } from 'node:net';
import { ValidateBy, ValidationOptions } from 'class-validator';

/** Names Fastify (proxy-addr) knows for the usual private ranges. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * The entries of PARLEY_TRUSTED_PROXIES (`10.0.0.0/8, 192.0.2.7, loopback`), or undefined when
 * one is neither an IP address, a CIDR range nor a named range. Empty: no proxy is trusted.
 */
export function parseTrustedProxies(value: string): string[] | undefined {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const valid = entries.every((entry) => {
    if (NAMED_RANGES.includes(entry)) return true;
    const [address, prefix, ...rest] = entry.split('/');
    const version = isIP(address);
    if (!version || rest.length) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
  });
  return valid ? entries : undefined;
}

export function IsTrustedProxyList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTrustedProxyList',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseTrustedProxies(value) !== undefined,
        defaultMessage: () =>
          'must be comma-separated IP addresses or CIDR ranges (10.0.0.0/8), or loopback, linklocal, uniquelocal',
      },
    },
    options,
  );
}

/** Fastify's `trustProxy` for a validated PARLEY_TRUSTED_PROXIES: the list, or false when empty. */
export function trustProxyOption(value: string): string[] | false {
  const entries = parseTrustedProxies(value) ?? [];
  return entries.length ? entries : false;
}
