import {
  Body,
  Controller,
  GoneException,
  HttpCode,
  Inject,
  Post,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  AgentCredentialsQuery,
  AgentCredentialsView,
  AgentInviteQuery,
  AgentInviteView,
  QuerySubjects,
  SetAgentPassword,
} from '@parley/contracts';
import { JetStreamPublisher, QueryRejected } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { CommandEndpoint } from '../api/command-endpoint';
import { ApiProblems } from '../api/problem.doc';
import { Write } from '../api/write';
import { TokenService } from '../auth/auth';
import { GatewayEnv } from '../gateway.env';
import { inviteHash } from './invites';
import { Passwords } from './passwords';
import { AcceptInviteRequest, PasswordSet, SignedIn, SignInRequest } from './sessions.dto';

/** How long setting a password waits for conversation to apply it, so the answer says whether it worked. */
const APPLIED_WITHIN = 'wait=10';

/** Agents set their password through their invite and sign in with it. No bearer token: these give one. */
@ApiTags('sessions')
@Controller('v1')
export class SessionsController {
  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
    private readonly tokens: TokenService,
    private readonly passwords: Passwords,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayEnv,
  ) {}

  @Post('invites/accept')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'acceptInvite',
    summary: 'Set a password through an invite',
    description:
      'An invite works once, until it expires; then the agent signs in with their email and password.',
  })
  @ApiOkResponse({ type: PasswordSet })
  @ApiProblems(400, 404, 409, 410, 413, 503)
  async acceptInvite(
    @Body() body: AcceptInviteRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PasswordSet> {
    const hashed = inviteHash(body.token);
    const invite = await this.publisher.query<AgentInviteView>(QuerySubjects.agentInvite, {
      inviteHash: hashed,
    } satisfies AgentInviteQuery);
    // Refused before hashing: argon2 is the expensive part, and an unusable invite needs none.
    if (invite.used || Date.parse(invite.expiresAt) <= Date.now())
      throw new GoneException('This invite was used already or has expired.');
    const command = {
      agentId: invite.agentId,
      inviteHash: hashed,
      passwordHash: await this.passwords.hash(body.password),
    };
    const write = new Write(
      { id: invite.agentId, role: 'agent' },
      'POST /v1/invites/accept',
      undefined,
      APPLIED_WITHIN,
      reply,
    );
    return this.commands.confirm(
      write,
      { type: SetAgentPassword, body: command, msgId: `${hashed}:password` },
      { agentId: invite.agentId },
    );
  }

  @Post('sessions')
  @HttpCode(201)
  @ApiOperation({ operationId: 'signIn', summary: 'Sign an agent in with email and password' })
  @ApiCreatedResponse({ type: SignedIn })
  @ApiProblems(400, 401, 413, 503)
  async signIn(@Body() body: SignInRequest): Promise<SignedIn> {
    const credentials = await this.credentialsOf(body.email);
    const matches = await this.passwords.matches(credentials?.passwordHash, body.password);
    if (!credentials || !matches || !credentials.active)
      throw new UnauthorizedException('The email or the password is wrong.');
    return {
      agentId: credentials.agentId,
      role: credentials.role,
      token: this.tokens.issue({ id: credentials.agentId, role: 'agent' }, credentials.tokenVersion),
      expiresIn: this.config.PARLEY_TOKEN_TTL_SECONDS,
    };
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
