import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  AgentRegisteredData,
  CustomerRegisteredData,
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
import { Agent } from './agent.entity';

@Controller()
export class PeopleHandlers {
  constructor(
    private readonly tx: CommandTransaction,
    private readonly assignment: Assignment,
  ) {}

  /**
   * The agent id follows from the Idempotency-Key: an agent already registered under it (a retry,
   * also one after JetStream's duplicate window) is kept as it is, and announced no second time.
   */
  @HandleCommand(RegisterAgent)
  async registerAgent(@Payload() cmd: RegisterAgent, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, async (em, events) => {
      const [created] = await em.query(
        `INSERT INTO conversation.agents (id, name, email, teams, capacity) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [cmd.agentId, cmd.name, cmd.email, cmd.teams, cmd.capacity],
      );
      if (!created) return;
      const data: AgentRegisteredData = {
        agentId: cmd.agentId,
        name: cmd.name,
        email: cmd.email,
        teams: cmd.teams,
        capacity: cmd.capacity,
      };
      events.push({
        id: eventId(EventTypes.agentRegistered, cmd.agentId),
        type: EventTypes.agentRegistered,
        occurredAt: cmd.acceptedAt,
        data,
      });
    });
  }

  /**
   * The customer id is derived from externalId by the gateway; the unique index keeps the mapping 1:1.
   * Registering again updates the name and email given; a registration that changes nothing (a
   * retry, also one after JetStream's duplicate window) is already applied and announced no second time.
   */
  @HandleCommand(RegisterCustomer)
  async registerCustomer(@Payload() cmd: RegisterCustomer, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, async (em, events, cause) => {
      const [changed] = await em.query(
        `INSERT INTO conversation.customers AS c (id, external_id, name, email) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET name = COALESCE(EXCLUDED.name, c.name),
                                        email = COALESCE(EXCLUDED.email, c.email)
          WHERE (COALESCE(EXCLUDED.name, c.name), COALESCE(EXCLUDED.email, c.email)) IS DISTINCT FROM (c.name, c.email)
         RETURNING id`,
        [cmd.customerId, cmd.externalId, cmd.name ?? null, cmd.email ?? null],
      );
      if (!changed) return;
      const data: CustomerRegisteredData = {
        customerId: cmd.customerId,
        externalId: cmd.externalId,
        name: cmd.name ?? null,
        email: cmd.email ?? null,
      };
      events.push({
        id: `${EventTypes.customerRegistered}:${cmd.customerId}:${cause}`,
        type: EventTypes.customerRegistered,
        customerId: cmd.customerId,
        occurredAt: cmd.acceptedAt,
        data,
      });
    });
  }

  /** An agent coming online takes work from the queue at once. */
  @HandleCommand(SetPresence)
  async setPresence(@Payload() cmd: SetPresence, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, async (em, events, cause) => {
      const agent = await em.findOne(Agent, {
        where: { id: cmd.agentId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!agent) throw new PermanentFailure(`agent ${cmd.agentId} does not exist`);
      if (agent.presence === cmd.status) return;
      await em.update(Agent, { id: agent.id }, { presence: cmd.status });
      const data: PresenceChangedData = { agentId: agent.id, status: cmd.status };
      events.push({
        id: `${EventTypes.presenceChanged}:${agent.id}:${cause}`,
        type: EventTypes.presenceChanged,
        occurredAt: new Date().toISOString(),
        data,
      });
      if (cmd.status === 'online') await this.assignment.drainQueue(em, cause, events);
    });
  }
}
