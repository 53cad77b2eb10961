import { lookup, LookupAddress, promises as dnsPromises } from 'node:dns';
import { isIP, LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ValidateBy, ValidationOptions } from 'class-validator';
import { Agent } from 'undici';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Network = [Address, number];

/**
 * The entries of PARLEY_WEBHOOK_ALLOWED_NETWORKS (`10.20.0.0/16, 192.0.2.7, ::1`), or undefined
 * when one is neither an IP address nor a CIDR range.
 */
export function parseNetworks(value: string): Network[] | undefined {
  const networks: Network[] = [];
  for (const entry of value.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    // Addresses are written the usual way (node:net's isIP); ipaddr.js alone takes `0x7f.1` too.
    const [address, prefix, ...rest] = entry.split('/');
    if (!isIP(address) || rest.length || (prefix !== undefined && !/^\d{1,3}$/.test(prefix)))
      return undefined;
    try {
      const parsed = ipaddr.parse(address);
      networks.push(
        prefix === undefined ? [parsed, parsed.kind() === 'ipv4' ? 32 : 128] : ipaddr.parseCIDR(entry),
      );
    } catch {
      return undefined;
    }
  }
  return networks;
}

export function IsNetworkList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNetworkList',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseNetworks(value) !== undefined,
        defaultMessage: () => 'must be comma-separated IP addresses or CIDR ranges (10.20.0.0/16, ::1)',
      },
    },
    options,
  );
}

/** IPv4 written as IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it is. */
function normalised(address: string): Address | undefined {
  if (!ipaddr.isValid(address)) return undefined;
  const parsed = ipaddr.parse(address);
  return parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress() ? parsed.toIPv4Address() : parsed;
}

/**
 * Decides which addresses webhook requests may connect to: the public internet, and the networks an
 * operator allowed. Everything else (loopback, private and unique-local ranges, link-local with the
 * cloud metadata endpoint 169.254.169.254, carrier-grade NAT, multicast, reserved and translation
 * ranges) is refused, so that whoever registers a webhook cannot make Parley call its neighbours.
 */
export class WebhookEgress {
  private readonly allowed: Network[];
  /** Connections made through it are checked on the address actually dialled (no DNS rebinding). */
  readonly dispatcher: Agent;

  constructor(allowedNetworks: string) {
    this.allowed = parseNetworks(allowedNetworks) ?? [];
    this.dispatcher = new Agent({ connect: { lookup: this.lookup } });
  }

  permits(address: string): boolean {
    const parsed = normalised(address);
    if (!parsed) return false;
    if (parsed.range() === 'unicast') return true;
    return this.allowed.some(
      ([network, bits]) => network.kind() === parsed.kind() && parsed.match(network, bits),
    );
  }

  /**
   * Why a URL is refused before any connection, or null. A host written as an address is never
   * looked up, so it is checked here; a name is checked when it resolves.
   */
  refusal(url: string): string | null {
    const host = hostOf(url);
    if (host === undefined) return 'not a valid URL';
    return ipaddr.isValid(host) && !this.permits(host) ? refused(host) : null;
  }

  /**
   * Why delivery would not call a URL as its name resolves now, or null; a name that does not
   * resolve yet is not refused (connections are checked again when made).
   */
  async endpointRefusal(url: string): Promise<string | null> {
    const host = hostOf(url);
    if (host === undefined || ipaddr.isValid(host)) return this.refusal(url);
    const addresses = await dnsPromises.lookup(host, { all: true }).catch(() => []);
    return addresses.length && !addresses.some((a) => this.permits(a.address))
      ? refusedName(host, addresses)
      : null;
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const usable = addresses.filter((a) => this.permits(a.address));
      if (!usable.length) {
        const denied = Object.assign(new Error(refusedName(hostname, addresses)), {
          code: 'EWEBHOOKADDRESS',
        });
        return callback(denied, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, usable);
      callback(null, usable[0].address, usable[0].family);
    });
  };
}

/** A URL's host as an address or a name (an IPv6 literal without its brackets); undefined if no URL. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

function refused(address: string): string {
  return `refused: ${address} is not a public address (PARLEY_WEBHOOK_ALLOWED_NETWORKS can allow it)`;
}

function refusedName(hostname: string, addresses: LookupAddress[]): string {
  return `${hostname}: ${refused(addresses.map((a) => a.address).join(', '))}`;
}
