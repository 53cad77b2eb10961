import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { fetch } from 'undici';
import { parseNetworks, WebhookEgress } from './webhook-egress';

describe('WebhookEgress', () => {
  const closing: Array<{ close(): unknown }> = [];
  afterAll(async () => {
    for (const c of closing) await c.close();
  });
  const egress = (allowed = '') => {
    const e = new WebhookEgress(allowed);
    closing.push(e);
    return e;
  };

  it('lets webhooks reach the public internet and nothing else', () => {
    const guard = egress();
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111'])
      expect([address, guard.permits(address)]).toEqual([address, true]);
    for (const address of [
      '127.0.0.1', // loopback
      '10.1.2.3', // private
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254', // cloud metadata (link-local)
      '100.64.0.1', // carrier-grade NAT
      '0.0.0.0',
      '224.0.0.1', // multicast
      '255.255.255.255',
      '::1',
      '::',
      'fc00::1', // unique local
      'fe80::1', // link-local
      '::ffff:127.0.0.1', // IPv4 written as IPv6
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1', // NAT64 of 10.0.0.1
      'not an address',
    ])
      expect([address, guard.permits(address)]).toEqual([address, false]);
  });

  it('lets an operator allow chosen networks, and only those', () => {
    const guard = egress('10.20.0.0/16, ::1');
    expect(guard.permits('10.20.3.4')).toBe(true);
    expect(guard.permits('::ffff:10.20.3.4')).toBe(true);
    expect(guard.permits('::1')).toBe(true);
    expect(guard.permits('10.21.0.1')).toBe(false);
    expect(guard.permits('127.0.0.1')).toBe(false);
  });

  it('refuses a URL whose host is a non-public address before connecting, however it is written', () => {
    const guard = egress();
    expect(guard.refusal('http://127.0.0.1:8080/hook')).toMatch(
      /^refused: 127\.0\.0\.1 is not a public address/,
    );
    expect(guard.refusal('http://[::1]/hook')).toMatch(/^refused: ::1 /);
    expect(guard.refusal('http://0x7f000001/hook')).toMatch(/^refused: 127\.0\.0\.1 /);
    expect(guard.refusal('http://2130706433/hook')).toMatch(/^refused: 127\.0\.0\.1 /);
    expect(guard.refusal('http://169.254.169.254/latest/meta-data/')).toMatch(
      /^refused: 169\.254\.169\.254 /,
    );
    // Names are judged by what they resolve to, when the connection is made.
    expect(guard.refusal('https://hooks.example.com/parley')).toBeNull();
    expect(guard.refusal('https://93.184.215.14/parley')).toBeNull();
  });

  describe('a name that resolves to a refused address', () => {
    let server: Server;
    let hits = 0;
    let port: number;
    beforeAll(async () => {
      server = createServer((_, res) => {
        hits++;
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      closing.push(server);
    });

    it('is never connected to', async () => {
      const failure = await fetch(`http://localhost:${port}/`, { dispatcher: egress().dispatcher }).catch(
        (error: Error & { cause?: Error & { code?: string } }) => error.cause,
      );
      expect(failure).toMatchObject({ code: 'EWEBHOOKADDRESS' });
      expect((failure as Error).message).toMatch(
        /^localhost: refused: .*127\.0\.0\.1.* is not a public address/,
      );
      expect(hits).toBe(0);
    });

    it('is connected to once its network is allowed', async () => {
      const res = await fetch(`http://localhost:${port}/`, {
        dispatcher: egress('127.0.0.0/8, ::1').dispatcher,
      });
      expect(await res.text()).toBe('ok');
      expect(hits).toBe(1);
    });
  });

  it('judges a URL by what its name resolves to now, for registration', async () => {
    expect(await egress().endpointRefusal('http://localhost:8080/hook')).toMatch(
      /^localhost: refused: .*127\.0\.0\.1.* is not a public address/,
    );
    expect(await egress('127.0.0.0/8, ::1').endpointRefusal('http://localhost:8080/hook')).toBeNull();
    expect(await egress().endpointRefusal('http://[::1]/hook')).toMatch(/^refused: ::1 /);
    expect(await egress().endpointRefusal('http://93.184.215.14/hook')).toBeNull();
  });

  it('reads PARLEY_WEBHOOK_ALLOWED_NETWORKS strictly', () => {
    expect(parseNetworks('')).toEqual([]);
    expect(parseNetworks(' 10.0.0.0/8 , 192.0.2.7,fd00::/8 ')).toHaveLength(3);
    for (const wrong of ['10.0.0.0/33', '10.0.0.0/x', 'localhost', '0x7f.1', '10.0.0.0/8/1', '::1/129'])
      expect([wrong, parseNetworks(wrong)]).toEqual([wrong, undefined]);
  });
});
