import { NotFoundException } from '@nestjs/common';
import type { Principal, TypingSignal } from '@parley/contracts';
import type { JetStreamPublisher } from '@parley/jetstream';
import { TypingController, TYPING_INTERVAL_MS } from './typing.controller';
import type { TypingRelay } from './typing-relay';

const customer: Principal = { id: 'cu-1', role: 'customer' };
const agent: Principal = { id: 'ag-1', role: 'agent' };

describe('TypingController', () => {
  let published: TypingSignal[];
  let queries: number;
  let controller: TypingController;
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-12-07T12:00:00Z') });
    published = [];
    queries = 0;
    const publisher = {
      query: async () => {
        queries += 1;
        return { customerId: 'cu-1', assigneeId: 'ag-1' };
      },
    } as unknown as JetStreamPublisher;
    const relay = { publish: (signal: TypingSignal) => published.push(signal) } as unknown as TypingRelay;
    controller = new TypingController(publisher, relay);
  });
  afterEach(() => jest.useRealTimers());

  it("sends the customer's typing to the assignee, and an agent's to the customer", async () => {
    await controller.typing('c-1', customer);
    await controller.typing('c-1', agent);

    expect(published).toEqual([
      expect.objectContaining({ conversationId: 'c-1', authorId: 'cu-1', recipients: ['ag-1'] }),
      expect.objectContaining({ conversationId: 'c-1', authorId: 'ag-1', recipients: ['cu-1'] }),
    ]);
    // Who takes part is remembered for a few seconds: one query for both.
    expect(queries).toBe(1);
  });

  it(`passes on at most one signal per typist and conversation every ${TYPING_INTERVAL_MS} ms`, async () => {
    await controller.typing('c-1', customer);
    await controller.typing('c-1', customer);
    jest.advanceTimersByTime(TYPING_INTERVAL_MS + 1);
    await controller.typing('c-1', customer);

    expect(published).toHaveLength(2);
  });

  it("refuses another customer's conversation with 404", async () => {
    await expect(controller.typing('c-1', { id: 'cu-2', role: 'customer' })).rejects.toBeInstanceOf(
      NotFoundException,
    );
    expect(published).toEqual([]);
  });
});
