import {
  Body,
  Controller,
  Delete,
  Get,
  GoneException,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  AgentCredentialsQuery,
  AgentCredentialsView,
  AgentInviteQuery,
  AgentInviteView,
  AgentSessionQuery,
  AgentSessionState,
  AgentSessionsQuery,
  Command,
  EndSession,
  Principal,
  QuerySubjects,
  RotateSession,
  SetAgentPassword,
  StartSession,
} from '@parley/contracts';
import { JetStreamPublisher, QueryRejected } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { CommandEndpoint, Outgoing } from '../api/command-endpoint';
import { IdParam } from '../api/id-param.pipe';
import { ApiSessionIdParam } from '../api/params.doc';
import { ApiProblems } from '../api/problem.doc';
import { Write } from '../api/write';
import { Allow, CurrentPrincipal, TokenService } from '../auth/auth';
import { Audit, Audited, AuditNote, pathId } from '../audit/audited';
import { AuditRecorder } from '../audit/audit-recorder';
import { GatewayEnv } from '../gateway.env';
import { secretHash } from './secrets';
import { Passwords } from './passwords';
import {
  clearRefreshCookie,
  newRefreshSecret,
  newSessionId,
  REFRESH_COOKIE,
  RefreshToken,
  refreshTokenOf,
  setRefreshCookie,
} from './refresh-cookie';
import { AcceptInviteRequest, PasswordSet, SessionItem, SignedIn, SignInRequest } from './sessions.dto';

/** How long a write here waits for conversation to apply it, so that the answer says whether it worked. */
const APPLIED_WITHIN = 'wait=10';

/**
 * Agents set their password through their invite and sign in with it; the console stays signed in
 * with a refresh token in an httpOnly cookie, used once each time, and each device can be signed out.
 */
@ApiTags('sessions')
@Controller('v1')
export class SessionsController {
  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
    private readonly tokens: TokenService,
    private readonly passwords: Passwords,
    private readonly audit: AuditRecorder,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayEnv,
  ) {}

  @Post('invites/accept')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'acceptInvite',
    security: [],
    summary: 'Set a password through an invite',
    description:
      'An invite works once, until it expires; then the agent signs in with their email and password.',
  })
  @ApiOkResponse({ type: PasswordSet })
  @ApiProblems(400, 404, 409, 410, 413, 503)
  @Audited('agent.password-set')
  async acceptInvite(
    @Body() body: AcceptInviteRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Audit() audit: AuditNote,
  ): Promise<PasswordSet> {
    const hashed = secretHash(body.token);
    const invite = await this.publisher.query<AgentInviteView>(QuerySubjects.agentInvite, {
      inviteHash: hashed,
    } satisfies AgentInviteQuery);
    // Refused before hashing: argon2 is the expensive part, and an unusable invite needs none.
    if (invite.used || Date.parse(invite.expiresAt) <= Date.now())
      throw new GoneException('This invite was used already or has expired.');
    audit.actor = { kind: 'agent', id: invite.agentId };
    audit.subject = { kind: 'agent', id: invite.agentId };
    const command = {
      agentId: invite.agentId,
      inviteHash: hashed,
      passwordHash: await this.passwords.hash(body.password),
    };
    await this.applied(invite.agentId, reply, {
      type: SetAgentPassword,
      body: command,
      msgId: `${hashed}:password`,
    });
    return { agentId: invite.agentId };
  }

  @Post('sessions')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'signIn',
    security: [],
    summary: 'Sign an agent in with email and password',
    description: `Answers a short-lived access token, and sets the \`${REFRESH_COOKIE}\` cookie (httpOnly, SameSite=Strict) that renews it.`,
  })
  @ApiCreatedResponse({ type: SignedIn })
  @ApiProblems(400, 401, 413, 503)
  @Audited('session.sign-in', undefined, { refused: 'session.sign-in-refused' })
  async signIn(
    @Body() body: SignInRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Audit() audit: AuditNote,
  ): Promise<SignedIn> {
    const credentials = await this.credentialsOf(body.email);
    const matches = await this.passwords.matches(credentials?.passwordHash, body.password);
    // Who tried, when the email is an agent's; never the email or the password themselves.
    audit.actor = credentials
      ? { kind: credentials.role === 'admin' ? 'admin' : 'agent', id: credentials.agentId }
      : { kind: 'agent', id: null };
    audit.details.address = request.ip;
    if (!credentials || !matches || !credentials.active) {
      audit.details.reason = !credentials ? 'unknown-email' : !matches ? 'wrong-password' : 'deactivated';
      throw new UnauthorizedException('The email or the password is wrong.');
    }
    const refresh = { sessionId: newSessionId(), secret: newRefreshSecret() };
    audit.subject = { kind: 'session', id: refresh.sessionId };
    const session = {
      agentId: credentials.agentId,
      sessionId: refresh.sessionId,
      refreshHash: secretHash(refresh.secret),
      device: (request.headers['user-agent'] ?? '').slice(0, 300),
    };
    await this.applied(credentials.agentId, reply, {
      type: StartSession,
      body: session,
      msgId: refresh.sessionId,
    });
    setRefreshCookie(request, reply, refresh);
    reply.status(201);
    return this.signedIn(credentials.agentId, credentials.role, credentials.tokenVersion);
  }

  @Post('sessions/refresh')
  @HttpCode(200)
  @ApiCookieAuth()
  @ApiOperation({
    operationId: 'refreshSession',
    summary: 'Renew the access token with the refresh cookie',
    description:
      'The cookie is replaced by a new one. A refresh token presented a second time signs the agent out on every device.',
  })
  @ApiOkResponse({ type: SignedIn })
  @ApiProblems(401, 503)
  async refresh(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SignedIn> {
    const presented = refreshTokenOf(request);
    const session = presented && (await this.sessionOf(presented.sessionId));
    if (!presented || !session?.live) return this.refused(reply);
    const next: RefreshToken = { sessionId: presented.sessionId, secret: newRefreshSecret() };
    const rotation = {
      agentId: session.agentId,
      sessionId: presented.sessionId,
      presentedHash: secretHash(presented.secret),
      refreshHash: secretHash(next.secret),
    };
    try {
      await this.applied(session.agentId, reply, {
        type: RotateSession,
        body: rotation,
        msgId: rotation.refreshHash,
      });
    } catch (error) {
      clearRefreshCookie(reply);
      throw error;
    }
    // A replay is applied too, ending every session: only the session as it is now tells them apart.
    const now = await this.sessionOf(presented.sessionId);
    if (!now?.live || now.refreshHash !== rotation.refreshHash) {
      // Someone else holds a copy of the token: every session of the agent was ended for it.
      await this.audit.record({
        action: 'session.replayed',
        actor: { kind: session.role === 'admin' ? 'admin' : 'agent', id: session.agentId },
        subject: { kind: 'session', id: presented.sessionId },
        details: { sessionsEnded: 'all' },
      });
      return this.refused(reply);
    }
    setRefreshCookie(request, reply, next);
    reply.status(200);
    return this.signedIn(now.agentId, now.role, now.tokenVersion);
  }

  @Delete('sessions/current')
  @HttpCode(204)
  @ApiCookieAuth()
  @ApiOperation({
    operationId: 'signOut',
    summary: 'Sign this device out',
    description: 'Its refresh token is useless from then on, and the cookie is cleared.',
  })
  @ApiNoContentResponse({ description: 'Signed out (also when it was not signed in)' })
  @ApiProblems(503)
  @Audited('session.end')
  async signOut(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Audit() audit: AuditNote,
  ): Promise<void> {
    const presented = refreshTokenOf(request);
    const session = presented && (await this.sessionOf(presented.sessionId));
    if (presented && session) {
      await this.applied(session.agentId, reply, {
        type: EndSession,
        body: { agentId: session.agentId, sessionId: presented.sessionId },
        msgId: `${presented.sessionId}:end`,
      });
      audit.actor = { kind: session.role === 'admin' ? 'admin' : 'agent', id: session.agentId };
      audit.subject = { kind: 'session', id: presented.sessionId };
    } else audit.skip();
    clearRefreshCookie(reply);
    reply.status(204);
  }

  @Get('sessions')
  @Allow('agent')
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'listSessions',
    summary: 'List the devices where the calling agent is signed in',
  })
  @ApiOkResponse({ type: [SessionItem] })
  @ApiProblems(401, 403, 503)
  async sessions(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ): Promise<SessionItem[]> {
    const sessions = await this.publisher.query<SessionItem[]>(QuerySubjects.agentSessions, {
      agentId: principal.id,
    } satisfies AgentSessionsQuery);
    const current = refreshTokenOf(request)?.sessionId;
    return sessions.map((session) => ({ ...session, current: session.id === current }));
  }

  @Delete('sessions/:id')
  @ApiSessionIdParam()
  @HttpCode(204)
  @Allow('agent')
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'endSession',
    summary: 'Sign one of the calling agent’s devices out',
    description: 'Its refresh token is useless from then on; a session of another agent is left as it is.',
  })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiProblems(400, 401, 403, 503)
  @Audited('session.end', pathId('session'))
  async endSession(
    @Param('id', IdParam) sessionId: string,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.applied(principal.id, reply, {
      type: EndSession,
      body: { agentId: principal.id, sessionId },
      msgId: `${sessionId}:end`,
    });
    reply.status(204);
  }

  /** Sends the command as the agent and waits until conversation applied it; its refusal is the answer. */
  private async applied<C extends Command>(
    agentId: string,
    reply: FastifyReply,
    command: Outgoing<C>,
  ): Promise<void> {
    const write = new Write({ id: agentId, role: 'agent' }, 'sessions', undefined, APPLIED_WITHIN, reply);
    await this.commands.confirm(write, command, undefined);
  }

  private signedIn(agentId: string, role: SignedIn['role'], tokenVersion: number): SignedIn {
    return {
      agentId,
      role,
      token: this.tokens.issueAccess(agentId, role, tokenVersion),
      expiresIn: this.config.PARLEY_ACCESS_TOKEN_TTL_SECONDS,
    };
  }

  private refused(reply: FastifyReply): never {
    clearRefreshCookie(reply);
    throw new UnauthorizedException('Sign in again.');
  }

  private async sessionOf(sessionId: string): Promise<AgentSessionState | undefined> {
    try {
      return await this.publisher.query<AgentSessionState>(QuerySubjects.agentSession, {
        sessionId,
      } satisfies AgentSessionQuery);
    } catch (error) {
      if (error instanceof QueryRejected && error.status === 404) return undefined;
      throw error;
    }
  }

  private async credentialsOf(email: string): Promise<AgentCredentialsView | undefined> {
    try {
      return await this.publisher.query<AgentCredentialsView>(QuerySubjects.agentCredentials, {
        email,
      } satisfies AgentCredentialsQuery);
    } catch (error) {
      if (error instanceof QueryRejected && error.status === 404) return undefined;
      throw error;
    }
  }
}
