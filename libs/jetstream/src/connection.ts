import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { skipCancelErrorOfAnsweredRequests } from './answered-requests';

export class NatsUnreachable extends Error {
  override readonly name = 'NatsUnreachable';
}

/** A NATS user and its password; an empty user connects without authentication. */
export interface NatsCredentials {
  user: string;
  pass: string;
}

/**
 * The one NATS connection of a process. It reconnects forever once established: a broker restart
 * must not require a process restart. The password is given to the client only, never to a message.
 */
export async function connectToNats(
  url: string,
  serviceName: string,
  credentials: NatsCredentials = { user: '', pass: '' },
): Promise<NatsConnection> {
  skipCancelErrorOfAnsweredRequests();
  try {
    return await connect({
      // A cluster is given as a comma-separated list of seed URLs.
      servers: url.split(',').map((s) => s.trim()),
      name: serviceName,
      ...(credentials.user ? { user: credentials.user, pass: credentials.pass } : {}),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 5_000,
      // Our errors name the subject they were about; an extra stack captured for every request
      // and publish (two Error objects each) was 6% of the gateway's CPU (docs/performance.md).
      noAsyncTraces: true,
    });
  } catch (error) {
    const as = credentials.user ? ` as ${credentials.user}` : '';
    throw new NatsUnreachable(
      `Cannot reach NATS at ${url}${as} (${(error as Error).message}). ` +
        'Start a JetStream-enabled server with `nats-server -js`, or point NATS_URL at one.',
    );
  }
}
