import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ConfirmErasure,
  ConversationErasedData,
  CustomerErasedData,
  DeclineErasureRequest,
  DomainEvent,
  EraseCustomer,
  eventId,
  EventTypes,
  Requester,
  RequestErasure,
} from '@parley/contracts';
import { HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { Assignment } from '../assignment/assignment';
import { CommandTransaction } from '../events/command-transaction';
import type { UnitOfWork } from '../events/unit-of-work';
import { ErasureSweeper } from './erasure-sweeper';

/**
 * A customer's erasure (docs/adr/0014-customer-erasure.md): applied in one transaction, announced to
 * every other store, confirmed by each of them; and customers' requests for it.
 */
@Controller()
export class ErasureHandlers {
  constructor(
    private readonly tx: CommandTransaction,
    private readonly assignment: Assignment,
    private readonly sweeper: ErasureSweeper,
  ) {}

  @HandleCommand(EraseCustomer)
  async handleErase(@Payload() cmd: EraseCustomer, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, (unit, cause) => this.erase(unit, cmd, cause));
    // The objects and keys go right after the commit; the sweeper's schedule covers a crash here.
    this.sweeper.kick();
  }

  @HandleCommand(ConfirmErasure)
  handleConfirm(@Payload() cmd: ConfirmErasure, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, async (unit) => {
      await unit.erasures.confirm(cmd.erasureId, cmd.store, new Date(cmd.erasedAt), cmd.count);
      return [];
    });
  }

  @HandleCommand(RequestErasure)
  handleRequest(@Payload() cmd: RequestErasure, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, async (unit) => {
      await unit.erasures.request(cmd.requestId, cmd.customerId, new Date(cmd.acceptedAt));
      return [];
    });
  }

  @HandleCommand(DeclineErasureRequest)
  handleDecline(@Payload() cmd: DeclineErasureRequest, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, async (unit) => {
      const request = await unit.erasures.lockRequest(cmd.requestId);
      if (!request) throw new PermanentFailure(`erasure request ${cmd.requestId} does not exist`, 404);
      if (request.status === 'declined') return [];
      if (request.status !== 'pending')
        throw new PermanentFailure(`erasure request ${cmd.requestId} was ${request.status} already`, 409);
      await unit.erasures.decline(cmd.requestId, cmd.issuedBy.id, new Date());
      return [];
    });
  }

  /**
   * Tombstones the customer, empties their conversations into shells and records the erasure;
   * erasing an erased customer changes nothing (the erasure is the one recorded). Shells leave the
   * queue and their agents' load, so the queue may move on.
   */
  async erase(unit: UnitOfWork, cmd: EraseCustomer, cause: string): Promise<DomainEvent<object>[]> {
    const customer = await unit.erasures.lockCustomer(cmd.customerId);
    if (!customer) throw new PermanentFailure(`customer ${cmd.customerId} does not exist`, 404);
    if (customer.erasedAt) return [];
    if (cmd.requestId) {
      const request = await unit.erasures.lockRequest(cmd.requestId);
      if (!request || request.customerId !== cmd.customerId)
        throw new PermanentFailure(`erasure request ${cmd.requestId} is not ${cmd.customerId}'s`, 404);
      if (request.status === 'declined')
        throw new PermanentFailure(`erasure request ${cmd.requestId} was declined`, 409);
    }
    const by: Requester = { kind: cmd.issuedBy.role, id: cmd.issuedBy.id };
    const now = new Date();
    const erased = await unit.erasures.erase(cmd.customerId, by, now);
    await unit.erasures.record(
      cmd.erasureId,
      cmd.customerId,
      by,
      new Date(cmd.acceptedAt),
      cmd.requestId ?? null,
      erased,
    );
    const occurredAt = now.toISOString();
    const conversations = erased.conversations.map(({ id, siteId }): DomainEvent<ConversationErasedData> => ({
      id: eventId(EventTypes.conversationErased, id),
      type: EventTypes.conversationErased,
      conversationId: id,
      customerId: cmd.customerId,
      occurredAt,
      data: {
        conversationId: id,
        customerId: cmd.customerId,
        siteId,
        reason: 'customer-erasure',
        erasureId: cmd.erasureId,
      },
    }));
    const customerErased: DomainEvent<CustomerErasedData> = {
      id: eventId(EventTypes.customerErased, cmd.customerId),
      type: EventTypes.customerErased,
      customerId: cmd.customerId,
      occurredAt,
      data: {
        customerId: cmd.customerId,
        erasureId: cmd.erasureId,
        conversationIds: erased.conversations.map((c) => c.id),
        requestedBy: by,
      },
    };
    return [...conversations, customerErased, ...(await this.assignment.drainQueue(unit, cause))];
  }
}
