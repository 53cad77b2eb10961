import rateLimit from '@fastify/rate-limit';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { NAMESPACE } from '@parley/contracts';
import { ensureCounterBucket, NATS_CONNECTION, SharedCounters } from '@parley/jetstream';
import type { FastifyRequest } from 'fastify';
import { TokenService } from '../auth/auth';
import { GatewayEnv } from '../gateway.env';
import { SharedWindowStore } from './shared-rate-limit-store';

const WINDOW_MS = 60_000;
/** The JetStream key-value bucket every gateway process counts in (`KV_parley-rate-limits`). */
export const RATE_LIMIT_BUCKET = `${NAMESPACE}-rate-limits`;
/** Longer than a healthy broker ever takes; past it the request is counted in this process alone. */
const COUNTER_TIMEOUT_MS = 2_000;

type Budget = 'reads' | 'writes';

/** Reads and writes are counted apart, so a client writing at its limit can still read. */
function budgetOf(request: FastifyRequest): Budget {
  return request.method === 'GET' || request.method === 'HEAD' ? 'reads' : 'writes';
}

/**
 * Every `/v1` request spends the budget of its principal, verified as the auth guard verifies it
 * (`TokenService`), or of its client address when its token is absent or does not verify: a new
 * random bearer per request is still one address. The counts are shared by every gateway process
 * through a JetStream key-value bucket.
 */
export async function registerRateLimits(app: NestFastifyApplication, config: GatewayEnv): Promise<void> {
  const nc = app.get<NatsConnection>(NATS_CONNECTION);
  const tokens = app.get(TokenService);
  const bucket = { bucket: RATE_LIMIT_BUCKET, windowMs: WINDOW_MS, replicas: config.PARLEY_STREAM_REPLICAS };
  await ensureCounterBucket(await jetstreamManager(nc), bucket);
  const counters = new SharedCounters(nc, { ...bucket, timeoutMs: COUNTER_TIMEOUT_MS });
  const budgets: Record<Budget, number> = {
    reads: config.PARLEY_RATE_LIMIT_READS_PER_MINUTE ?? config.PARLEY_RATE_LIMIT_PER_MINUTE,
    writes: config.PARLEY_RATE_LIMIT_WRITES_PER_MINUTE ?? config.PARLEY_RATE_LIMIT_PER_MINUTE,
  };
  await app.register(rateLimit, {
    timeWindow: WINDOW_MS,
    store: class extends SharedWindowStore {
      constructor() {
        super(counters, WINDOW_MS);
      }
    },
    max: (request) => budgets[budgetOf(request)],
    keyGenerator: (request) => {
      const principal = tokens.verifyBearer(request.headers.authorization);
      // `reads_principal_<id>`: readable as a bucket key (an address is base64url-encoded there).
      return `${budgetOf(request)}_${principal ? `principal_${principal.id}` : `ip_${request.ip}`}`;
    },
    allowList: (request) => /^\/(health|metrics)\b/.test(request.url),
    errorResponseBuilder: (request, context) => ({
      statusCode: 429,
      message: `Too many ${budgetOf(request)}: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s.`,
    }),
  });
}
