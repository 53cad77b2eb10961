import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AgentRegisteredData,
  CustomerRegisteredData,
  eventId,
  EventTypes,
  RegisterAgent,
  RegisterCustomer,
} from '@parley/contracts';
import { HandleCommand } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { DomainEvents } from '../events/domain-events';

@Controller()
export class PeopleHandlers {
  constructor(
    private readonly db: DataSource,
    private readonly events: DomainEvents,
  ) {}

  @HandleCommand(RegisterAgent)
  async registerAgent(@Payload() cmd: RegisterAgent): Promise<void> {
    await this.db.query(
      `INSERT INTO conversation.agents (id, name, email, teams, capacity) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO NOTHING`,
      [cmd.agentId, cmd.name, cmd.email, cmd.teams, cmd.capacity],
    );
    const data: AgentRegisteredData = {
      agentId: cmd.agentId,
      name: cmd.name,
      email: cmd.email,
      teams: cmd.teams,
      capacity: cmd.capacity,
    };
    await this.events.emit({
      id: eventId(EventTypes.agentRegistered, cmd.agentId),
      type: EventTypes.agentRegistered,
      occurredAt: cmd.acceptedAt,
      data,
    });
  }

  /** The customer id is derived from externalId by the gateway; the unique index keeps the mapping 1:1. */
  @HandleCommand(RegisterCustomer)
  async registerCustomer(@Payload() cmd: RegisterCustomer): Promise<void> {
    await this.db.query(
      `INSERT INTO conversation.customers (id, external_id, name, email) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET name = COALESCE(EXCLUDED.name, customers.name),
                                      email = COALESCE(EXCLUDED.email, customers.email)`,
      [cmd.customerId, cmd.externalId, cmd.name ?? null, cmd.email ?? null],
    );
    const data: CustomerRegisteredData = {
      customerId: cmd.customerId,
      externalId: cmd.externalId,
      name: cmd.name ?? null,
      email: cmd.email ?? null,
    };
    await this.events.emit({
      id: eventId(EventTypes.customerRegistered, cmd.customerId),
      type: EventTypes.customerRegistered,
      customerId: cmd.customerId,
      occurredAt: cmd.acceptedAt,
      data,
    });
  }
}
