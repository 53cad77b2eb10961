import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  AgentRegisteredData,
  CustomerRegisteredData,
  DomainEvent,
  eventId,
  EventTypes,
  PresenceChangedData,
  RegisterAgent,
  RegisterCustomer,
  SetPresence,
} from '@parley/contracts';
import { HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { Assignment } from '../assignment/assignment';
import { CommandTransaction } from '../events/command-transaction';
import type { UnitOfWork } from '../events/unit-of-work';

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
