import { Body, Controller, Get, Put, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AgentView, Page, Principal, QuerySubjects, RegisterAgent, SetPresence } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { AcceptedAnswer, CommandEndpoint } from '../api/command-endpoint';
import { AGENT_CURSOR } from '../api/examples';
import { PageQuery, pageOf } from '../api/paging';
import { ApiListCursor } from '../api/params.doc';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Idempotent, Write } from '../api/write';
import { Allow, CurrentPrincipal, TokenService } from '../auth/auth';
import { CustomerRegistration } from './customer-registration';
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
    private readonly commands: CommandEndpoint,
    private readonly tokens: TokenService,
    private readonly publisher: JetStreamPublisher,
    private readonly customers: CustomerRegistration,
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
    return this.publisher.query(QuerySubjects.agents, { principal, ...pageOf(query) });
  }

  @Put('agents/me/presence')
  @Allow('agent')
  @ApiOperation({ operationId: 'setPresence', summary: "Set the calling agent's presence" })
  @AcceptedAnswer(PresenceAccepted, 'Coming online takes queued conversations at once')
  @ApiPreferWait(PresenceAccepted, 'With `Prefer: wait=N`: set (queued conversations taken)', 200)
  presence(@Body() body: PresenceRequest, @CurrentWrite() write: Write): Promise<PresenceAccepted> {
    const presence = { agentId: write.principal.id, status: body.status };
    return this.commands.confirm(
      write,
      { type: SetPresence, body: presence, msgId: write.allocate() },
      presence,
    );
  }

  @Post('agents')
  @Allow('admin')
  @ApiOperation({ operationId: 'createAgent', summary: 'Create an agent and issue its token' })
  @AcceptedAnswer(PrincipalCreated)
  @ApiPreferWait(PrincipalCreated, REGISTERED)
  @Idempotent()
  createAgent(@Body() body: CreateAgentRequest, @CurrentWrite() write: Write): Promise<PrincipalCreated> {
    const agentId = write.allocate();
    const command = {
      ...body,
      agentId,
      teams: body.teams ?? [],
      capacity: body.capacity ?? DEFAULT_CAPACITY,
    };
    const created = { id: agentId, token: this.tokens.issue({ id: agentId, role: 'agent' }) };
    return this.commands.confirm(write, { type: RegisterAgent, body: command, msgId: agentId }, created, 201);
  }

  @Post('customers')
  @Allow('admin')
  @ApiOperation({
    operationId: 'createCustomer',
    summary: 'Create or update a customer and issue its token',
    description:
      'The id follows from `externalId`: the same externalId always answers the same id. A site signs its own visitors in instead (`POST /v1/sites/{id}/customers/token`).',
  })
  @AcceptedAnswer(PrincipalCreated)
  @ApiPreferWait(PrincipalCreated, REGISTERED)
  createCustomer(
    @Body() body: CreateCustomerRequest,
    @CurrentWrite() write: Write,
  ): Promise<PrincipalCreated> {
    return this.customers.register(write, body);
  }
}
