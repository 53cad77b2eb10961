import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  AgentRegisteredData,
  CUSTOMER_ATTRIBUTES_MAX,
  CustomerAttributes,
  CustomerRegisteredData,
  CustomerUpdatedData,
  DeactivateAgent,
  DomainEvent,
  eventId,
  EventTypes,
  PresenceChangedData,
  RegisterAgent,
  RegisterCustomer,
  ResetAgentPassword,
  SetAgentPassword,
  SetPresence,
  TokensRevokedData,
  UpdateCustomer,
} from '@parley/contracts';
import { HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { Assignment } from '../assignment/assignment';
import { CommandTransaction } from '../events/command-transaction';
import type { UnitOfWork } from '../events/unit-of-work';

/** Announces that every token of the agent issued before `tokenVersion` no longer works. */
export function tokensRevoked(
  agentId: string,
  tokenVersion: number,
  at: string,
): DomainEvent<TokensRevokedData> {
  return {
    id: `${EventTypes.tokensRevoked}:${agentId}:${tokenVersion}`,
    type: EventTypes.tokensRevoked,
    occurredAt: at,
    data: { agentId, tokenVersion },
  };
}

/** Agents and customers joining, and agents coming and going. */
@Controller()
export class PeopleHandlers {
  constructor(
    private readonly tx: CommandTransaction,
    private readonly assignment: Assignment,
  ) {}

  @HandleCommand(RegisterAgent)
  handleRegisterAgent(@Payload() cmd: RegisterAgent, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.registerAgent(unit, cmd));
  }

  @HandleCommand(RegisterCustomer)
  handleRegisterCustomer(@Payload() cmd: RegisterCustomer, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.registerCustomer(unit, cmd, cause));
  }

  @HandleCommand(UpdateCustomer)
  handleUpdateCustomer(@Payload() cmd: UpdateCustomer, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.updateCustomer(unit, cmd, cause));
  }

  @HandleCommand(SetAgentPassword)
  handleSetAgentPassword(@Payload() cmd: SetAgentPassword, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.setAgentPassword(unit, cmd));
  }

  @HandleCommand(ResetAgentPassword)
  handleResetAgentPassword(@Payload() cmd: ResetAgentPassword, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.resetAgentPassword(unit, cmd));
  }

  @HandleCommand(DeactivateAgent)
  handleDeactivateAgent(@Payload() cmd: DeactivateAgent, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.deactivateAgent(unit, cmd, cause));
  }

  @HandleCommand(SetPresence)
  handleSetPresence(@Payload() cmd: SetPresence, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.setPresence(unit, cmd, cause));
  }

  /**
   * The agent id follows from the Idempotency-Key: an agent already registered under it (a retry,
   * also one after JetStream's duplicate window) is kept as it is, and announced no second time.
   */
  async registerAgent(unit: UnitOfWork, cmd: RegisterAgent): Promise<DomainEvent<AgentRegisteredData>[]> {
    if (!(await unit.people.registerAgent(cmd))) return [];
    const data: AgentRegisteredData = {
      agentId: cmd.agentId,
      name: cmd.name,
      email: cmd.email,
      teams: cmd.teams,
      capacity: cmd.capacity,
    };
    return [
      {
        id: eventId(EventTypes.agentRegistered, cmd.agentId),
        type: EventTypes.agentRegistered,
        occurredAt: cmd.acceptedAt,
        data,
      },
    ];
  }

  /**
   * The customer id is derived from externalId by the gateway. Registering again updates the name
   * and email given; a registration that changes nothing (a retry, also one after JetStream's
   * duplicate window) is already applied and announced no second time.
   */
  async registerCustomer(
    unit: UnitOfWork,
    cmd: RegisterCustomer,
    cause: string,
  ): Promise<DomainEvent<CustomerRegisteredData>[]> {
    if (!(await unit.people.registerCustomer(cmd))) return [];
    const data: CustomerRegisteredData = {
      customerId: cmd.customerId,
      externalId: cmd.externalId,
      name: cmd.name ?? null,
      email: cmd.email ?? null,
      timeZone: cmd.timeZone ?? null,
    };
    return [
      {
        id: `${EventTypes.customerRegistered}:${cmd.customerId}:${cause}`,
        type: EventTypes.customerRegistered,
        customerId: cmd.customerId,
        occurredAt: cmd.acceptedAt,
        data,
      },
    ];
  }

  /**
   * Merges the attributes given into the customer's (`null` removes one) and sets or forgets the
   * time zone. More than `CUSTOMER_ATTRIBUTES_MAX` attributes after the merge is refused; a change
   * that changes nothing is announced no second time.
   */
  async updateCustomer(
    unit: UnitOfWork,
    cmd: UpdateCustomer,
    cause: string,
  ): Promise<DomainEvent<CustomerUpdatedData>[]> {
    const card = await unit.people.lockCustomerCard(cmd.customerId);
    if (!card) throw new PermanentFailure(`customer ${cmd.customerId} does not exist`, 404);
    if (await unit.erasures.customerErased(cmd.customerId))
      throw new PermanentFailure(`customer ${cmd.customerId} was erased`, 410);
    const attributes = mergeAttributes(card.attributes, cmd.attributes ?? {});
    if (Object.keys(attributes).length > CUSTOMER_ATTRIBUTES_MAX)
      throw new PermanentFailure(
        `A customer has at most ${CUSTOMER_ATTRIBUTES_MAX} attributes; remove some (set them to null) first.`,
        422,
      );
    const timeZone = cmd.timeZone === undefined ? card.timeZone : cmd.timeZone;
    if (timeZone === card.timeZone && sameAttributes(attributes, card.attributes)) return [];
    await unit.people.setCustomerCard(cmd.customerId, attributes, timeZone);
    return [
      {
        id: `${EventTypes.customerUpdated}:${cmd.customerId}:${cause}`,
        type: EventTypes.customerUpdated,
        customerId: cmd.customerId,
        occurredAt: cmd.acceptedAt,
        data: { customerId: cmd.customerId, attributes, timeZone },
      },
    ];
  }

  /**
   * The invite is used once, before it expires, by the agent it names. Nothing is announced: a
   * password is no one else's business.
   */
  async setAgentPassword(unit: UnitOfWork, cmd: SetAgentPassword): Promise<[]> {
    const invite = await unit.people.lockInvite(cmd.inviteHash);
    if (!invite || invite.agentId !== cmd.agentId)
      throw new PermanentFailure('This invite does not exist.', 404);
    if (invite.used) throw new PermanentFailure('This invite was used already.', 410);
    if (Date.parse(invite.expiresAt) <= Date.parse(cmd.acceptedAt))
      throw new PermanentFailure('This invite has expired.', 410);
    if (await unit.people.emailTakenFrom(cmd.agentId))
      throw new PermanentFailure('Another agent signs in with this email.', 409);
    await unit.people.setPassword(cmd.agentId, cmd.inviteHash, cmd.passwordHash);
    return [];
  }

  /**
   * The old password stops working, every session ends and every token is revoked; the agent sets
   * a new password through the new invite.
   */
  async resetAgentPassword(
    unit: UnitOfWork,
    cmd: ResetAgentPassword,
  ): Promise<DomainEvent<TokensRevokedData>[]> {
    if (!(await unit.people.agentExists(cmd.agentId)))
      throw new PermanentFailure(`agent ${cmd.agentId} does not exist`, 404);
    await unit.people.resetPassword(cmd.agentId, cmd.inviteHash, cmd.inviteExpiresAt);
    await unit.people.endSessions(cmd.agentId, undefined, cmd.acceptedAt);
    return [tokensRevoked(cmd.agentId, await unit.people.revokeTokens(cmd.agentId), cmd.acceptedAt)];
  }

  /**
   * The agent's tokens are revoked (every gateway follows `agent.tokens_revoked`), they go offline,
   * and their unresolved conversations go back to the queue, where other agents take them.
   * Deactivating an inactive agent changes nothing.
   */
  async deactivateAgent(
    unit: UnitOfWork,
    cmd: DeactivateAgent,
    cause: string,
  ): Promise<DomainEvent<object>[]> {
    if (!(await unit.people.agentExists(cmd.agentId)))
      throw new PermanentFailure(`agent ${cmd.agentId} does not exist`, 404);
    const tokenVersion = await unit.people.deactivate(cmd.agentId);
    if (tokenVersion === undefined) return [];
    await unit.people.endSessions(cmd.agentId, undefined, cmd.acceptedAt);
    const revoked = tokensRevoked(cmd.agentId, tokenVersion, cmd.acceptedAt);
    const offline: DomainEvent<PresenceChangedData> = {
      id: `${EventTypes.presenceChanged}:${cmd.agentId}:${cause}`,
      type: EventTypes.presenceChanged,
      occurredAt: cmd.acceptedAt,
      data: { agentId: cmd.agentId, status: 'offline' },
    };
    await unit.people.lockAssignment();
    const requeued: DomainEvent<object>[] = [];
    for (const conversation of await unit.conversations.lock(
      await unit.conversations.assignedIds(cmd.agentId),
    ))
      requeued.push(...(await this.assignment.assign(unit, conversation, null, cmd.issuedBy.id, cause)));
    return [revoked, offline, ...requeued, ...(await this.assignment.drainQueue(unit, cause))];
  }

  /** An agent coming online takes work from the queue at once. */
  async setPresence(unit: UnitOfWork, cmd: SetPresence, cause: string): Promise<DomainEvent<object>[]> {
    const presence = await unit.people.lockPresence(cmd.agentId);
    if (!presence) throw new PermanentFailure(`agent ${cmd.agentId} does not exist`);
    if (presence === cmd.status) return [];
    await unit.people.setPresence(cmd.agentId, cmd.status);
    const data: PresenceChangedData = { agentId: cmd.agentId, status: cmd.status };
    const changed: DomainEvent<PresenceChangedData> = {
      id: `${EventTypes.presenceChanged}:${cmd.agentId}:${cause}`,
      type: EventTypes.presenceChanged,
      occurredAt: new Date().toISOString(),
      data,
    };
    if (cmd.status !== 'online') return [changed];
    return [changed, ...(await this.assignment.drainQueue(unit, cause))];
  }
}

/** Intercom's merge of custom attributes: the names given are set, `null` removes one, the rest stay. */
export function mergeAttributes(
  current: CustomerAttributes,
  changes: Record<string, CustomerAttributes[string] | null>,
): CustomerAttributes {
  const merged: CustomerAttributes = { ...current };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

function sameAttributes(a: CustomerAttributes, b: CustomerAttributes): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => Object.is(a[name], b[name]));
}
