/**
 * `npm run bench -- tokens`: what issuing and checking a bearer token costs the gateway when it has
 * not seen the token before (a new customer, every request of a client with a fresh token, and
 * every forged one), against jsonwebtoken given the secret as a string, in the same run.
 */
import 'reflect-metadata';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@parley/contracts';
import { jwtOptions, TokenService } from '../apps/gateway/src/auth/auth';
import { TokenVersions } from '../apps/gateway/src/auth/token-versions';
import { GatewayEnv } from '../apps/gateway/src/gateway.env';
import { writeResults } from '@parley/testing';
import { round } from './support';

const N = Number(process.env.BENCH_TOKENS ?? 5_000);
const config = {
  PARLEY_JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
  PARLEY_ADMIN_TOKEN: 'bench-admin-token-0123456789',
  PARLEY_TOKEN_TTL_SECONDS: 3600,
} as GatewayEnv;

function perTokenMicros(work: (i: number) => unknown): number {
  for (let i = 0; i < N / 10; i++) work(i); // warm-up: let the JIT settle first
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) work(i);
  return Number(process.hrtime.bigint() - start) / N / 1000;
}

function main(): void {
  // A new service each time, so that no token is remembered from an earlier pass.
  const tokens = () => new TokenService(new JwtService(jwtOptions(config)), new TokenVersions(), config);
  const customers = Array.from({ length: N }, () => randomUUID());
  const issued = customers.map((id) => tokens().issue({ id, role: 'customer' }));
  const stringSigned = customers.map((id) =>
    jwt.sign({ role: 'customer', ver: 0 }, config.PARLEY_JWT_SECRET, {
      subject: id,
      expiresIn: 3600,
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
    }),
  );
  const checking = tokens();
  if (!checking.verify(issued[0]) || !tokens().verify(stringSigned[0]))
    throw new Error('a token was refused: the figures would be of the refusal');
  let verifier = checking;
  const rows = [
    {
      scenario: 'baseline: jsonwebtoken sign, secret as a string (before)',
      micros: perTokenMicros((i) =>
        jwt.sign({ role: 'customer' }, config.PARLEY_JWT_SECRET, { subject: customers[i], expiresIn: 3600 }),
      ),
    },
    {
      scenario: 'baseline: jsonwebtoken verify, secret as a string (before)',
      micros: perTokenMicros((i) => jwt.verify(stringSigned[i], config.PARLEY_JWT_SECRET)),
    },
    {
      scenario: 'TokenService.issue as the gateway builds it',
      micros: perTokenMicros((i) => checking.issue({ id: customers[i], role: 'customer' })),
    },
    {
      scenario: 'TokenService.verify of a token it has not seen',
      // A new service for each pass (warm-up, then the timed one): every verify misses its memory.
      micros: perTokenMicros((i) => {
        if (i === 0) verifier = tokens();
        return verifier.verify(issued[i]);
      }),
    },
  ].map((r) => ({ ...r, micros: round(r.micros, 1) }));
  console.log(`\nbearer tokens, ${N.toLocaleString('en')} each, µs per token`);
  console.table(rows);
  console.log(`written to ${writeResults('tokens', { date: new Date().toISOString(), n: N, rows })}`);
}

main();
