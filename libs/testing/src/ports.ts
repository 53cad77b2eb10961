import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The first port the kernel hands out to outgoing connections. Ports for servers are taken below
 * it: a port from the ephemeral range (what listening on port 0 gives) can become some client
 * socket's local port while its service is stopped, and the service then fails to start again on
 * it (CI saw history restart into EADDRINUSE).
 */
function firstEphemeralPort(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32768;
  }
}

const LOWEST_PORT = 10_000;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    // All addresses, as the services listen: a port bound on loopback alone counts as taken too.
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** A free port for a server, below the ephemeral range. */
export async function freePort(): Promise<number> {
  const above = Math.max(firstEphemeralPort(), LOWEST_PORT + 1_000);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (above - LOWEST_PORT));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found between ${LOWEST_PORT} and ${above}`);
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const result = await probe();
      if (result) return result;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError}` : ''}`);
}
