import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  OnModuleInit,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtModuleOptions, JwtService } from '@nestjs/jwt';
import { RouteConfig } from '@nestjs/platform-fastify';
import { createSecretKey, timingSafeEqual } from 'node:crypto';
import {
  AgentRole,
  ID_PATTERN,
  Principal,
  Role,
  ROLES,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from '@parley/contracts';
import { SERVICE_CONFIG } from '@parley/runtime';
import { DEV_ADMIN_TOKEN, DEV_JWT_SECRET, GatewayEnv } from '../gateway.env';
import { TtlCache } from '../api/ttl-cache';
import { TokenVersions } from './token-versions';

const ROLES_KEY = 'parley:roles';

const adminTokenEnabled = (config: GatewayEnv) => config.PARLEY_ADMIN_TOKEN_ENABLED === 'true';

export function developmentDefaultsIn(config: GatewayEnv): string[] {
  return [
    adminTokenEnabled(config) && config.PARLEY_ADMIN_TOKEN === DEV_ADMIN_TOKEN ? 'PARLEY_ADMIN_TOKEN' : '',
    config.PARLEY_JWT_SECRET === DEV_JWT_SECRET ? 'PARLEY_JWT_SECRET' : '',
  ].filter(Boolean);
}

/** In production the public development defaults would let anyone in: refuse to start on them. */
export function refuseDevelopmentSecrets(config: GatewayEnv): string | undefined {
  const defaults = developmentDefaultsIn(config);
  return config.NODE_ENV === 'production' && defaults.length
    ? `${defaults.join(' and ')} must be set in production; the development default is public`
    : undefined;
}

/**
 * The roles allowed on a route; every route names them. They are also the route's Fastify config,
 * so that a request to a guarded route is authenticated before its body is read (api/request-body.ts).
 */
export const Allow = (...roles: Role[]) =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), RouteConfig({ roles } satisfies GuardedRoute));

/** What a route guarded by `Allow` has in its Fastify config. */
export interface GuardedRoute {
  roles?: Role[];
}

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal,
);

/**
 * Tokens are HS256 with the configured secret, given to jsonwebtoken as a key object: given the
 * string, it first tries to read it as a PEM key and builds that failure for every token signed or
 * checked, 0.5 ms each against 15 µs (`npm run bench -- tokens`).
 */
export function jwtOptions(config: Pick<GatewayEnv, 'PARLEY_JWT_SECRET'>): JwtModuleOptions {
  return {
    secret: createSecretKey(Buffer.from(config.PARLEY_JWT_SECRET)),
    signOptions: { algorithm: 'HS256' },
    verifyOptions: { algorithms: ['HS256'] },
  };
}

const CLOCK_TOLERANCE_SECONDS = 30;

interface VerifiedToken {
  principal: Principal;
  /** The principal's token version when the token was issued. */
  version: number;
}
const REMEMBER_TOKENS_AT_MOST = 20_000;

@Injectable()
export class TokenService implements OnModuleInit {
  private readonly log = new Logger(TokenService.name);
  /**
   * Tokens already verified, until they expire. A client sends the same token with every request,
   * and checking its HMAC again cost the gateway a third of its CPU under load (`npm run bench`).
   * Only valid tokens are kept, so garbage cannot evict them faster than they are used. What is
   * remembered is the signature's verdict: revocation is checked on every use.
   */
  private readonly verified = new TtlCache<VerifiedToken>(REMEMBER_TOKENS_AT_MOST);

  constructor(
    private readonly jwt: JwtService,
    private readonly versions: TokenVersions,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayEnv,
  ) {}

  onModuleInit(): void {
    const defaults = [
      adminTokenEnabled(this.config) &&
        this.config.PARLEY_ADMIN_TOKEN === DEV_ADMIN_TOKEN &&
        'PARLEY_ADMIN_TOKEN',
      this.config.PARLEY_JWT_SECRET === DEV_JWT_SECRET && 'PARLEY_JWT_SECRET',
    ].filter(Boolean);
    if (!defaults.length) return;
    if (this.config.NODE_ENV === 'production') {
      throw new Error(
        `${defaults.join(' and ')} must be set in production; the development default is public`,
      );
    }
    this.log.warn(
      `using the development default of ${defaults.join(' and ')}; set them before exposing Parley`,
    );
  }

  /** A token for the principal, carrying the token version it has now (`versions` revokes older ones). */
  issue(principal: Principal, version = this.versions.current(principal.id)): string {
    return this.sign(principal, version, this.config.PARLEY_TOKEN_TTL_SECONDS);
  }

  /**
   * An agent's personal API token, for integrations (`POST /v1/agents`). It lives
   * PARLEY_TOKEN_TTL_SECONDS, but no longer than PARLEY_EVENTS keeps the revocation a gateway started
   * later must replay to refuse it (ADR 10).
   */
  issueAgentApiToken(agentId: string): string {
    const revocationsKept = this.config.PARLEY_EVENT_RETENTION_DAYS * 24 * 3600;
    const ttl = Math.min(this.config.PARLEY_TOKEN_TTL_SECONDS, revocationsKept);
    return this.sign({ id: agentId, role: 'agent' }, this.versions.current(agentId), ttl);
  }

  /**
   * A signed-in agent's short-lived token, with the token version conversation holds for them. An
   * admin agent acts as the admin; supervisors and agents work conversations.
   */
  issueAccess(agentId: string, role: AgentRole, version: number): string {
    const principal: Principal = { id: agentId, role: role === 'admin' ? 'admin' : 'agent' };
    return this.sign(principal, version, this.config.PARLEY_ACCESS_TOKEN_TTL_SECONDS);
  }

  private sign(principal: Principal, version: number, ttlSeconds: number): string {
    return this.jwt.sign(
      { role: principal.role, ver: version, ...(principal.siteId && { site: principal.siteId }) },
      {
        subject: principal.id,
        expiresIn: ttlSeconds,
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
      },
    );
  }

  /** The principal of an `Authorization: Bearer …` header, or null when it names none that verifies. */
  verifyBearer(authorization: string | undefined): Principal | null {
    const match = /^Bearer ([^\s]+)$/i.exec(authorization ?? '');
    return match ? this.verify(match[1]) : null;
  }

  /**
   * The principal a bearer token stands for, or null. A token must carry `exp`, `aud` and `iss`;
   * one whose principal's token version has moved past the token's is refused, remembered or not.
   */
  verify(token: string): Principal | null {
    if (this.isAdminToken(token)) return { id: 'admin', role: 'admin' };
    const known = this.verified.get(token) ?? this.verifySignature(token);
    if (!known || this.versions.revokes(known.principal.id, known.version)) return null;
    return known.principal;
  }

  private isAdminToken(token: string): boolean {
    if (!adminTokenEnabled(this.config)) return false;
    const admin = Buffer.from(this.config.PARLEY_ADMIN_TOKEN);
    const given = Buffer.from(token);
    return given.length === admin.length && timingSafeEqual(given, admin);
  }

  private verifySignature(token: string): VerifiedToken | undefined {
    try {
      const claims = this.jwt.verify<{
        sub?: unknown;
        role?: unknown;
        exp?: unknown;
        ver?: unknown;
        site?: unknown;
      }>(token, {
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
      });
      if (
        typeof claims.sub !== 'string' ||
        !ROLES.includes(claims.role as Role) ||
        typeof claims.exp !== 'number' ||
        !Number.isSafeInteger(claims.ver) ||
        (claims.site !== undefined && (typeof claims.site !== 'string' || !ID_PATTERN.test(claims.site)))
      )
        return undefined;
      const principal: Principal = { id: claims.sub, role: claims.role as Role };
      // A customer signed in through a site's widget: the conversations they open are the site's.
      if (typeof claims.site === 'string') principal.siteId = claims.site;
      const known = {
        principal,
        version: claims.ver as number,
      };
      this.verified.set(token, known, (claims.exp + CLOCK_TOLERANCE_SECONDS) * 1000);
      return known;
    } catch {
      return undefined;
    }
  }
}

/** The principal an Authorization header's bearer token names: 401 without a valid one. */
export function authenticate(tokens: TokenService, authorization: string | undefined): Principal {
  const principal = tokens.verifyBearer(authorization);
  if (!principal) throw new UnauthorizedException('A valid bearer token is required.');
  return principal;
}

/** Authenticates every /v1 request and enforces the route's roles: 401 without a valid token, 403 for a wrong role. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const principal = authenticate(this.tokens, request.headers.authorization);
    if (!roles.includes(principal.role))
      throw new ForbiddenException(`This needs one of the roles: ${roles.join(', ')}.`);
    request.principal = principal;
    return true;
  }
}
