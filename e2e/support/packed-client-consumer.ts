/*
 * An integrator's program on the packed @parley/client (e2e/client.e2e-spec.ts installs the tarball
 * beside a copy of this file, compiles it and runs it):
 *   node packed-client-consumer.js <gateway url> <admin token>
 * An admin creates a customer, who opens a conversation and follows the inbox stream until the
 * opening message arrives; prints what it saw as JSON.
 */
import { createParleyClient, followInbox, type InboxEvent } from '@parley/client';

async function main(baseUrl: string, adminToken: string): Promise<void> {
  const admin = createParleyClient(baseUrl, adminToken);
  const { data: customer, error } = await admin.POST('/v1/customers', {
    body: { externalId: 'packed-client-1' },
  });
  if (!customer) throw new Error(`no customer: ${error?.detail}`);
  const api = createParleyClient(baseUrl, customer.token);
  const { data: opened } = await api.POST('/v1/conversations', { body: { body: 'Sent from the package' } });
  const message = await new Promise<Extract<InboxEvent, { type: 'message.created' }>>((resolve) => {
    const stream = followInbox({
      baseUrl,
      token: customer.token,
      onEvent: (event) => {
        if (event.type !== 'message.created') return;
        stream.close();
        resolve(event);
      },
    });
  });
  const body: string = message.data.body;
  process.stdout.write(JSON.stringify({ opened: opened?.id, conversationId: message.conversationId, body }));
}

const [baseUrl, adminToken] = process.argv.slice(2);
main(baseUrl, adminToken).catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
