import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  Patch,
  Put,
  Post,
  Query,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AgentView,
  CUSTOMER_ATTRIBUTES_MAX,
  CustomerCard,
  CustomerQuery,
  DeactivateAgent,
  Page,
  ResetAgentPassword,
  Principal,
  QuerySubjects,
  RegisterAgent,
  SetPresence,
  UpdateCustomer,
} from '@parley/contracts';
import { JetStreamPublisher, QueryRejected } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { AcceptedAnswer, CommandEndpoint } from '../api/command-endpoint';
import { AGENT_CURSOR } from '../api/examples';
import { PageQuery, pageOf } from '../api/paging';
import { IdParam } from '../api/id-param.pipe';
import { ApiAgentIdParam, ApiCustomerIdParam, ApiListCursor } from '../api/params.doc';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Idempotent, Write } from '../api/write';
import { Allow, CurrentPrincipal, TokenService } from '../auth/auth';
import { answerId, Audited, pathId, READ_BY_STAFF } from '../audit/audited';
import { CustomerRegistration } from './customer-registration';
import { GatewayEnv } from '../gateway.env';
import { inviteSecret, secretHash } from '../sessions/secrets';
import {
  AgentDeactivated,
  AgentInvited,
  PasswordReset,
  AgentPage,
  CreateAgentRequest,
  CreateCustomerRequest,
  CustomerCardItem,
  CustomerUpdateAccepted,
  PresenceAccepted,
  PresenceRequest,
  PrincipalCreated,
  UpdateCustomerRequest,
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
    @Inject(SERVICE_CONFIG) private readonly config: GatewayEnv,
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
  @ApiOperation({
    operationId: 'createAgent',
    summary: 'Invite an agent',
    description: 'The agent sets a password through the invite, then signs in with `POST /v1/sessions`.',
  })
  @AcceptedAnswer(AgentInvited)
  @ApiPreferWait(AgentInvited, REGISTERED)
  @Audited('agent.invite', answerId('agent'), {
    details: ({ body }) => ({ role: (body as CreateAgentRequest).role ?? 'agent' }),
  })
  @Idempotent()
  createAgent(@Body() body: CreateAgentRequest, @CurrentWrite() write: Write): Promise<AgentInvited> {
    const agentId = write.allocate();
    const invite = this.invite(agentId);
    const command = {
      ...body,
      agentId,
      teams: body.teams ?? [],
      capacity: body.capacity ?? DEFAULT_CAPACITY,
      role: body.role ?? 'agent',
      inviteHash: invite.hash,
      inviteExpiresAt: invite.expiresAt,
    };
    const invited = {
      id: agentId,
      token: this.tokens.issueAgentApiToken(agentId),
      inviteToken: invite.secret,
      inviteExpiresAt: invite.expiresAt,
    };
    return this.commands.confirm(write, { type: RegisterAgent, body: command, msgId: agentId }, invited, 201);
  }

  @Post('agents/:id/password-reset')
  @ApiAgentIdParam()
  @Allow('admin')
  @ApiOperation({
    operationId: 'resetAgentPassword',
    summary: "Reset an agent's password",
    description:
      'The old password stops working, the agent is signed out on every device and every token of theirs answers 401 within 2 s; they set a new password through the new invite.',
  })
  @AcceptedAnswer(PasswordReset)
  @ApiPreferWait(PasswordReset, 'With `Prefer: wait=N`: reset, tokens revoked')
  @ApiProblems(404)
  @Audited('agent.password-reset', pathId('agent'))
  @Idempotent()
  resetPassword(@Param('id', IdParam) agentId: string, @CurrentWrite() write: Write): Promise<PasswordReset> {
    const resetId = write.allocate();
    const invite = this.invite(resetId);
    const command = { agentId, inviteHash: invite.hash, inviteExpiresAt: invite.expiresAt };
    return this.commands.confirm(
      write,
      { type: ResetAgentPassword, body: command, msgId: resetId },
      { agentId, inviteToken: invite.secret, inviteExpiresAt: invite.expiresAt },
    );
  }

  @Post('agents/:id/deactivation')
  @ApiAgentIdParam()
  @Allow('admin')
  @ApiOperation({
    operationId: 'deactivateAgent',
    summary: 'Deactivate an agent',
    description:
      'The agent can no longer sign in, every token of theirs answers 401 within 2 s on every gateway, their live streams end, and their conversations go back to the queue.',
  })
  @AcceptedAnswer(AgentDeactivated)
  @ApiPreferWait(AgentDeactivated, 'With `Prefer: wait=N`: deactivated, tokens revoked')
  @ApiProblems(404)
  @Audited('agent.deactivate', pathId('agent'))
  deactivateAgent(
    @Param('id', IdParam) agentId: string,
    @CurrentWrite() write: Write,
  ): Promise<AgentDeactivated> {
    return this.commands.confirm(
      write,
      { type: DeactivateAgent, body: { agentId }, msgId: `${agentId}:deactivate` },
      { agentId, active: false },
    );
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

  @Get('customers/:id')
  @ApiCustomerIdParam()
  @Allow('admin', 'agent')
  @ApiOperation({
    operationId: 'getCustomer',
    summary: "A customer's card",
    description:
      'Who the customer is, the custom attributes and time zone the business set, and their latest conversations.',
  })
  @ApiOkResponse({ type: CustomerCardItem })
  @ApiProblems(404)
  @Audited('customer.read', pathId('customer'), READ_BY_STAFF)
  customer(@Param('id', IdParam) customerId: string): Promise<CustomerCard> {
    const query: CustomerQuery = { customerId };
    return this.publisher.query(QuerySubjects.customer, query);
  }

  @Patch('customers/:id')
  @ApiCustomerIdParam()
  @Allow('admin')
  @ApiOperation({
    operationId: 'updateCustomer',
    summary: "Set a customer's custom attributes and time zone",
    description: `Attributes are merged as Intercom merges \`custom_attributes\`: each name given is set, \`null\` removes it, the others stay; at most ${CUSTOMER_ATTRIBUTES_MAX} per customer (422 beyond). \`timeZone\` replaces the customer's IANA zone, \`null\` forgets it.`,
  })
  @AcceptedAnswer(CustomerUpdateAccepted)
  @ApiPreferWait(
    CustomerCardItem,
    'With `Prefer: wait=N`: applied, as `GET /v1/customers/{id}` now shows it',
    200,
  )
  @ApiProblems(404, 422)
  @Audited('customer.update', pathId('customer'), {
    // How many, not which: a business may name an attribute after what it holds.
    details: ({ body }) => ({
      attributes: Object.keys((body as UpdateCustomerRequest).attributes ?? {}).length,
    }),
  })
  async updateCustomer(
    @Param('id', IdParam) customerId: string,
    @Body() body: UpdateCustomerRequest,
    @CurrentWrite() write: Write,
  ): Promise<CustomerUpdateAccepted | CustomerCard> {
    // Checked now when the conversation service answers: an unknown customer is a 404, too many
    // attributes a 422. Without it the write is accepted, and the service refuses it the same way.
    const card = await this.customer(customerId).catch((error: unknown) => {
      if (error instanceof QueryRejected) throw error;
      return undefined;
    });
    if (card && body.attributes) {
      const names = new Set(Object.keys(card.attributes));
      for (const [name, value] of Object.entries(body.attributes))
        if (value === null) names.delete(name);
        else names.add(name);
      if (names.size > CUSTOMER_ATTRIBUTES_MAX)
        throw new UnprocessableEntityException(
          `A customer has at most ${CUSTOMER_ATTRIBUTES_MAX} attributes; this would make ${names.size}. Remove some (set them to null) first.`,
        );
    }
    return this.commands.change(
      write,
      { type: UpdateCustomer, body: { ...body, customerId }, msgId: write.allocate() },
      { accepted: { customerId }, applied: () => this.customer(customerId) },
    );
  }

  private invite(inviteId: string): { secret: string; hash: string; expiresAt: string } {
    const secret = inviteSecret(this.config.PARLEY_JWT_SECRET, inviteId);
    const expiresAt = new Date(Date.now() + this.config.PARLEY_INVITE_TTL_SECONDS * 1000).toISOString();
    return { secret, hash: secretHash(secret), expiresAt };
  }
}
