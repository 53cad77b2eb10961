import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  AGENT_ROLES,
  AgentRole,
  AgentView,
  ATTRIBUTE_VALUE_MAX,
  CUSTOMER_ATTRIBUTES_MAX,
  CustomerAttributes,
  CustomerCard,
  CustomerConversationSummary,
  Page,
  Presence,
  PRESENCES,
  RegisterAgent,
  RegisterCustomer,
  SetPresence,
  STATUSES,
  UpdateCustomer,
} from '@parley/contracts';
import {
  AGENT_CURSOR,
  CONVERSATION_ID,
  CUSTOMER_ID,
  AGENT_EMAIL,
  AGENT_ID,
  AGENT_NAME,
  EXTERNAL_ID,
  INVITE_TOKEN,
  INVITED_UNTIL,
  TEAM,
  TOKEN,
} from '../api/examples';
import { RequestFrom } from '../api/request-from';

/*
 * The requests take their rules from the commands they become; the answers implement the views
 * conversation returns.
 */

export class CreateAgentRequest extends RequestFrom(RegisterAgent, {
  given: ['name', 'email'],
  defaulted: ['teams', 'capacity', 'role'],
  assigned: ['agentId', 'inviteHash', 'inviteExpiresAt'],
}) {
  @ApiProperty({ example: AGENT_NAME, maxLength: 200 })
  override name: string;

  @ApiProperty({ example: AGENT_EMAIL })
  override email: string;

  @ApiPropertyOptional({ example: [TEAM], description: 'Teams the agent works in' })
  override teams?: string[];

  @ApiPropertyOptional({
    type: 'integer',
    example: 5,
    default: 5,
    description: 'Open and pending conversations the agent can hold',
  })
  override capacity?: number;

  @ApiPropertyOptional({ enum: AGENT_ROLES, default: 'agent', example: 'agent' })
  override role?: AgentRole;
}

export class AgentInvited {
  @ApiProperty({ example: AGENT_ID }) id: string;
  @ApiProperty({
    example: TOKEN,
    description:
      'The agent’s personal API token for integrations (a bearer JWT), shown only here. It lives `PARLEY_TOKEN_TTL_SECONDS`, at most `PARLEY_EVENT_RETENTION_DAYS`; deactivating the agent or resetting their password revokes it. People sign in with email and password instead (`POST /v1/sessions`) for an access token of `PARLEY_ACCESS_TOKEN_TTL_SECONDS` (15 minutes).',
  })
  token: string;
  @ApiProperty({
    example: INVITE_TOKEN,
    description:
      'The invite’s secret, shown only here: the agent sets a password at `/console/#invite=<inviteToken>`, once, before `inviteExpiresAt`',
  })
  inviteToken: string;
  @ApiProperty({ example: INVITED_UNTIL }) inviteExpiresAt: string;
}

export class CreateCustomerRequest extends RequestFrom(RegisterCustomer, {
  given: ['externalId', 'name', 'email', 'timeZone'],
  assigned: ['customerId'],
}) {
  @ApiProperty({
    example: EXTERNAL_ID,
    description: "The business's own id for this user; the same one always maps to the same customer",
  })
  override externalId: string;

  @ApiPropertyOptional({ example: 'Grace Hopper' })
  override name?: string;

  @ApiPropertyOptional({ example: 'grace@example.com' })
  override email?: string;

  @ApiPropertyOptional({
    example: 'Europe/Berlin',
    description: "The customer's IANA time zone; left out keeps the one known",
  })
  override timeZone?: string;
}

const ATTRIBUTES_EXAMPLE = { plan: 'pro', orders: 12, vip: true };

export class UpdateCustomerRequest extends RequestFrom(UpdateCustomer, {
  given: ['attributes', 'timeZone'],
  assigned: ['customerId'],
}) {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      oneOf: [
        { type: 'string', maxLength: ATTRIBUTE_VALUE_MAX },
        { type: 'number' },
        { type: 'boolean' },
        { type: 'null' },
      ],
    },
    maxProperties: CUSTOMER_ATTRIBUTES_MAX,
    example: { ...ATTRIBUTES_EXAMPLE, trial_ends: null },
    description: `Merged into the customer's custom attributes, as Intercom merges \`custom_attributes\`: each name given is set, \`null\` removes it, names left out stay. Flat: strings (up to ${ATTRIBUTE_VALUE_MAX} characters), numbers and booleans; names start with a letter, then letters, digits and \`_\`, up to 64 characters; at most ${CUSTOMER_ATTRIBUTES_MAX} per customer after the merge (422 beyond).`,
  })
  override attributes?: Record<string, string | number | boolean | null>;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Europe/Berlin',
    description: "The customer's IANA time zone; `null` forgets it; left out keeps it",
  })
  override timeZone?: string | null;
}

export class CustomerUpdateAccepted {
  @ApiProperty({ example: CUSTOMER_ID }) customerId: string;
}

export class CustomerConversationItem implements CustomerConversationSummary {
  @ApiProperty({ example: CONVERSATION_ID }) id: string;
  @ApiProperty({ nullable: true, type: String, example: 'Order #1234' }) subject: string | null;
  @ApiProperty({ enum: STATUSES, example: 'resolved' }) status: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T09:30:00.000Z', description: 'Last activity' })
  lastMessageAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T09:00:00.000Z' }) createdAt: string;
}

export class CustomerCardItem implements CustomerCard {
  @ApiProperty({ example: CUSTOMER_ID }) id: string;
  @ApiProperty({ nullable: true, type: String, example: EXTERNAL_ID, description: 'null once erased' })
  externalId: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Grace Hopper' }) name: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'grace@example.com' }) email: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: ATTRIBUTES_EXAMPLE,
    description: 'What the business set about the customer (`PATCH /v1/customers/{id}`)',
  })
  attributes: CustomerAttributes;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'Europe/Berlin',
    description: 'IANA; null when unknown',
  })
  timeZone: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-30T08:00:00.000Z' }) createdAt: string;
  @ApiProperty({
    type: [CustomerConversationItem],
    description:
      "The customer's conversations, newest first, at most 20 (`GET /v1/customers/{id}/conversations` pages through all)",
  })
  conversations: CustomerConversationItem[];
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'date-time',
    example: null,
    description:
      'When the customer was erased (`DELETE /v1/customers/{id}`): a tombstone without name, email, externalId, attributes or time zone',
  })
  erasedAt?: string | null;
}

export class PrincipalCreated {
  @ApiProperty({ example: AGENT_ID, description: 'The new agent’s id, or the customer’s' }) id: string;
  @ApiProperty({ example: TOKEN, description: 'Bearer token for this principal (JWT)' }) token: string;
}

export class PresenceRequest extends RequestFrom(SetPresence, { given: ['status'], assigned: ['agentId'] }) {
  @ApiProperty({ enum: PRESENCES, example: 'online' })
  override status: Presence;
}

export class PresenceAccepted {
  @ApiProperty({ example: AGENT_ID }) agentId: string;
  @ApiProperty({ enum: PRESENCES, example: 'online' }) status: Presence;
}

export class PasswordReset {
  @ApiProperty({ example: AGENT_ID }) agentId: string;
  @ApiProperty({
    example: INVITE_TOKEN,
    description:
      'The new invite’s secret, shown only here: the agent sets a new password at `/console/#invite=<inviteToken>`',
  })
  inviteToken: string;
  @ApiProperty({ example: INVITED_UNTIL }) inviteExpiresAt: string;
}

export class AgentDeactivated {
  @ApiProperty({ example: AGENT_ID }) agentId: string;
  @ApiProperty({ example: false }) active: boolean;
}

export class AgentItem implements AgentView {
  @ApiProperty({ example: AGENT_ID }) id: string;
  @ApiProperty({ example: AGENT_NAME }) name: string;
  @ApiProperty({ example: AGENT_EMAIL }) email: string;
  @ApiProperty({ type: [String], example: [TEAM] }) teams: string[];
  @ApiProperty({ example: 5 }) capacity: number;
  @ApiProperty({ enum: PRESENCES, example: 'online' }) presence: string;
  @ApiProperty({ example: 1, description: 'Open and pending conversations assigned now' }) load: number;
  @ApiProperty({ enum: AGENT_ROLES, example: 'agent' }) role: AgentRole;
  @ApiProperty({ example: true, description: 'Whether the agent has set a password through their invite' })
  signedUp: boolean;
  @ApiProperty({ example: true, description: 'False once deactivated' }) active: boolean;
}

export class AgentPage implements Page<AgentView> {
  @ApiProperty({ type: [AgentItem] }) items: AgentItem[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: AGENT_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}
