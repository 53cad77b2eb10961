import { WebhookDeliveriesQuery } from '@parley/contracts';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookQueriesHandler } from './webhook-queries.handler';
import { WebhookRepository } from './webhook.repository';
import { WebhookSender } from './webhook-sender';

const query: WebhookDeliveriesQuery = {
  principal: { id: 'ad1', role: 'admin' },
  webhookId: 'wh_1',
  limit: 10,
};

function handler(live: boolean) {
  const pages: WebhookDeliveriesQuery[] = [];
  const webhooks = { exists: async () => live } as unknown as WebhookRepository;
  const deliveries = {
    page: async (q: WebhookDeliveriesQuery) => {
      pages.push(q);
      return { items: [], nextCursor: null };
    },
  } as unknown as WebhookDeliveryRepository;
  return { handler: new WebhookQueriesHandler(webhooks, deliveries, {} as WebhookSender), pages };
}

describe("a webhook's deliveries", () => {
  it('are listed for a live endpoint', async () => {
    const { handler: queries, pages } = handler(true);
    await expect(queries.deliveriesOf(query)).resolves.toEqual({ items: [], nextCursor: null });
    expect(pages).toEqual([query]);
  });

  it('are not found once the endpoint is deleted, or for one never registered', async () => {
    const { handler: queries, pages } = handler(false);
    await expect(queries.deliveriesOf(query)).rejects.toMatchObject({ status: 404 });
    expect(pages).toEqual([]);
  });
});
