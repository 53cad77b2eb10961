import { ApiProblems } from '../http/problem.doc';
import { createHash } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AgentView,
  PAGE_LIMIT_DEFAULT,
  Page,
  Principal,
  QuerySubjects,
  RegisterAgent,
  RegisterCustomer,
  SetPresence,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { Allow, CurrentPrincipal, TokenService } from '../auth/auth';
import { AppliedEvents, SendCommand } from '../http/applied-events';
import { CommandSender } from '../http/command-sender';
import { customerIdFor, IdAllocator, idempotencyKey } from '../http/ids';
import { ApiIdempotencyKey } from '../http/idempotency.doc';
import { ApiPreferWait } from '../http/prefer-wait.doc';
import { PageQuery } from '../conversations/conversations.dto';
import { AGENT_CURSOR } from '../http/examples';
import { ApiListCursor } from '../http/params.doc';
import {
  AgentPage,
  CreateAgentRequest,
  CreateCustomerRequest,
  PresenceAccepted,
  PresenceRequest,
  PrincipalCreated,
} from './people.dto';

const DEFAULT_CAPACITY = 5;

const REGISTERED =
  'With `Prefer: wait=N`: registered; a registration JetStream already holds (the same request again) answers 202';

@ApiTags('people')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 413, 503)
@Controller('v1')
export class PeopleController {
  constructor(
    private readonly commands: CommandSender,
    private readonly tokens: TokenService,
    private readonly publisher: JetStreamPublisher,
    private readonly applied: AppliedEvents,
  ) {}

  @Get('agents')
  @Allow('admin', 'agent')
  @ApiOperation({ operationId: 'listAgents', summary: 'List agents' })
  @ApiOkResponse({
    type: AgentPage,
    description: 'With presence and current load (open and pending conversations)',
  })
  @ApiListCursor(AGENT_CURSOR)
  agents(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal): Promise<Page<AgentView>> {
    return this.publisher.query(QuerySubjects.agents, {
      principal,
      cursor: query.cursor,
      limit: query.limit ?? PAGE_LIMIT_DEFAULT,
    });
  }

  @Put('agents/me/presence')
  @HttpCode(202)
  @Allow('agent')
  @ApiOperation({ operationId: 'setPresence', summary: "Set the calling agent's presence" })
  @ApiAcceptedResponse({
    type: PresenceAccepted,
    description: 'Coming online takes queued conversations at once',
  })
  @ApiPreferWait(PresenceAccepted, 'With `Prefer: wait=N`: set (queued conversations taken)', 200)
  async presence(
    @Body() body: PresenceRequest,
    @CurrentPrincipal() agent: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('prefer') prefer?: string,
  ): Promise<PresenceAccepted> {
    const msgId = new IdAllocator(agent, 'PUT /v1/agents/me/presence', undefined).allocate();
    const presence = { agentId: agent.id, status: body.status };
    return this.applied.confirm(prefer, reply, presence, (notice) =>
      this.commands.send(SetPresence, presence, agent, msgId, notice),
    );
  }

  @Post('agents')
  @HttpCode(202)
  @Allow('admin')
  @ApiOperation({ operationId: 'createAgent', summary: 'Create an agent and issue its token' })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({ type: PrincipalCreated })
  @ApiPreferWait(PrincipalCreated, REGISTERED)
  async createAgent(
    @Body() body: CreateAgentRequest,
    @CurrentPrincipal() admin: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') key?: string,
    @Headers('prefer') prefer?: string,
  ): Promise<PrincipalCreated> {
    const agentId = new IdAllocator(admin, 'POST /v1/agents', idempotencyKey(key)).allocate();
    const command: Omit<RegisterAgent, 'issuedBy' | 'acceptedAt'> = {
      agentId,
      name: body.name,
      email: body.email,
      teams: body.teams ?? [],
      capacity: body.capacity ?? DEFAULT_CAPACITY,
    };
    const created = { id: agentId, token: this.tokens.issue({ id: agentId, role: 'agent' }) };
    const register: SendCommand = (notice) =>
      this.commands.send(RegisterAgent, command, admin, agentId, notice);
    return this.applied.confirm(prefer, reply, created, register, 201);
  }

  @Post('customers')
  @HttpCode(202)
  @Allow('admin', 'agent')
  @ApiOperation({
    operationId: 'createCustomer',
    summary: 'Create or update a customer and issue its token',
    description: 'The id follows from `externalId`: the same externalId always answers the same id.',
  })
  @ApiAcceptedResponse({ type: PrincipalCreated })
  @ApiPreferWait(PrincipalCreated, REGISTERED)
  async createCustomer(
    @Body() body: CreateCustomerRequest,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('prefer') prefer?: string,
  ): Promise<PrincipalCreated> {
    // The id is a function of externalId, so this is idempotent without a key.
    const customerId = customerIdFor(body.externalId);
    const command: Omit<RegisterCustomer, 'issuedBy' | 'acceptedAt'> = {
      customerId,
      externalId: body.externalId,
      name: body.name,
      email: body.email,
    };
    const version = createHash('sha256')
      .update(JSON.stringify([body.name, body.email]))
      .digest('base64url');
    const created = { id: customerId, token: this.tokens.issue({ id: customerId, role: 'customer' }) };
    const register: SendCommand = (notice) =>
      this.commands.send(RegisterCustomer, command, caller, `${customerId}:${version}`, notice);
    return this.applied.confirm(prefer, reply, created, register, 201);
  }
}
