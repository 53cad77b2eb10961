import { DomainEvent, EventTypes } from '@parley/contracts';
import { WebhookSender } from '../webhooks/webhook-sender';
import { Inbox } from './inbox';
import { InboxFanOutHandler } from './inbox-fan-out.handler';

const events: DomainEvent[] = [
  { id: 'e1', type: EventTypes.messageCreated, occurredAt: '2026-01-01T00:00:00Z', data: {} },
];

describe('InboxFanOutHandler', () => {
  it('stores a batch in the inboxes before any webhook is dispatched', async () => {
    const steps: string[] = [];
    let stored!: () => void;
    const inbox = {
      deliver: () =>
        new Promise<void>((resolve) => {
          steps.push('inbox started');
          stored = () => {
            steps.push('inbox stored');
            resolve();
          };
        }),
    } as unknown as Inbox;
    const webhooks = {
      dispatch: async () => void steps.push('webhooks dispatched'),
    } as unknown as WebhookSender;
    const handling = new InboxFanOutHandler(inbox, webhooks).delivered(events);
    await new Promise((resolve) => setImmediate(resolve));
    expect(steps).toEqual(['inbox started']);
    stored();
    await handling;
    expect(steps).toEqual(['inbox started', 'inbox stored', 'webhooks dispatched']);
  });

  it('dispatches no webhook for a batch the inboxes could not store, so the batch is retried whole', async () => {
    const inbox = { deliver: async () => Promise.reject(new Error('database away')) } as unknown as Inbox;
    const dispatch = jest.fn();
    const handler = new InboxFanOutHandler(inbox, { dispatch } as unknown as WebhookSender);
    await expect(handler.delivered(events)).rejects.toThrow('database away');
    expect(dispatch).not.toHaveBeenCalled();
  });
});
