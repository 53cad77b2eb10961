import { ApiProblems } from '../http/problem.doc';
import { createHash } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Post, Put, Query } from '@nestjs/common';
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
import { CommandSender } from '../http/command-sender';
import { customerIdFor, IdAllocator, idempotencyKey } from '../http/ids';
import { ApiIdempotencyKey } from '../http/idempotency.doc';
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

@ApiTags('people')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 413, 503)
@Controller('v1')
export class PeopleController {
  constructor(
    private readonly commands: CommandSender,
    private readonly tokens: TokenService,
    private readonly publisher: JetStreamPublisher,
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
  async presence(
    @Body() body: PresenceRequest,
    @CurrentPrincipal() agent: Principal,
  ): Promise<PresenceAccepted> {
    const msgId = new IdAllocator(agent, 'PUT /v1/agents/me/presence', undefined).allocate();
    await this.commands.send(SetPresence, { agentId: agent.id, status: body.status }, agent, msgId);
    return { agentId: agent.id, status: body.status };
  }

  @Post('agents')
  @HttpCode(202)
  @Allow('admin')
  @ApiOperation({ operationId: 'createAgent', summary: 'Create an agent and issue its token' })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({ type: PrincipalCreated })
  async createAgent(
    @Body() body: CreateAgentRequest,
    @CurrentPrincipal() admin: Principal,
    @Headers('idempotency-key') key?: string,
  ): Promise<PrincipalCreated> {
    const agentId = new IdAllocator(admin, 'POST /v1/agents', idempotencyKey(key)).allocate();
    const command: Omit<RegisterAgent, 'issuedBy' | 'acceptedAt'> = {
      agentId,
      name: body.name,
      email: body.email,
      teams: body.teams ?? [],
      capacity: body.capacity ?? DEFAULT_CAPACITY,
    };
    await this.commands.send(RegisterAgent, command, admin, agentId);
    return { id: agentId, token: this.tokens.issue({ id: agentId, role: 'agent' }) };
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
  async createCustomer(
    @Body() body: CreateCustomerRequest,
    @CurrentPrincipal() caller: Principal,
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
    await this.commands.send(RegisterCustomer, command, caller, `${customerId}:${version}`);
    return { id: customerId, token: this.tokens.issue({ id: customerId, role: 'customer' }) };
  }
}
