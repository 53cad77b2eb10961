import { createHash } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Principal, RegisterAgent, RegisterCustomer } from '@parley/contracts';
import { Allow, CurrentPrincipal, TokenService } from '../auth/auth';
import { CommandSender } from '../http/command-sender';
import { customerIdFor, IdAllocator, idempotencyKey } from '../http/ids';
import { CreateAgentRequest, CreateCustomerRequest, PrincipalCreated } from './people.dto';

const DEFAULT_CAPACITY = 5;

@ApiTags('people')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('v1')
export class PeopleController {
  constructor(
    private readonly commands: CommandSender,
    private readonly tokens: TokenService,
  ) {}

  @Post('agents')
  @HttpCode(202)
  @Allow('admin')
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
