/**
 * Every NATS subject Parley uses. Commands flow gateway → owning service, events flow from the
 * service that decided them to everyone interested, queries are request/reply.
 */
export const CommandSubjects = {
  registerAgent: 'parley.cmd.conversation.agent.register',
  registerCustomer: 'parley.cmd.conversation.customer.register',
  openConversation: 'parley.cmd.conversation.open',
  postMessage: 'parley.cmd.conversation.message.post',
  addNote: 'parley.cmd.conversation.note.add',
  setPresence: 'parley.cmd.conversation.agent.presence',
  assignConversation: 'parley.cmd.conversation.assign',
  transferConversation: 'parley.cmd.conversation.transfer',
  changeStatus: 'parley.cmd.conversation.status',
  changePriority: 'parley.cmd.conversation.priority',
  markRead: 'parley.cmd.conversation.read',
  wakeConversation: 'parley.cmd.conversation.wake',
  ackInbox: 'parley.cmd.delivery.inbox.ack',
  registerWebhook: 'parley.cmd.delivery.webhook.register',
  deleteWebhook: 'parley.cmd.delivery.webhook.delete',
  retryWebhookDelivery: 'parley.cmd.delivery.webhook.retry',
} as const;

export const QuerySubjects = {
  agents: 'parley.query.conversation.agents',
  conversations: 'parley.query.conversation.list',
  conversation: 'parley.query.conversation.get',
  queue: 'parley.query.conversation.queue',
  customerConversations: 'parley.query.conversation.customer-conversations',
  precheck: 'parley.query.conversation.precheck',
  conversationMessages: 'parley.query.history.messages',
  message: 'parley.query.history.message',
  search: 'parley.query.history.search',
  inbox: 'parley.query.delivery.inbox',
  webhooks: 'parley.query.delivery.webhooks',
  webhookDeliveries: 'parley.query.delivery.webhook-deliveries',
  webhookEndpoint: 'parley.query.delivery.webhook-endpoint',
} as const;

export const EVENT_SUBJECT_PREFIX = 'parley.evt';
export const DEAD_LETTER_SUBJECT_PREFIX = 'parley.dlq';

export function eventSubject(type: string): string {
  return `${EVENT_SUBJECT_PREFIX}.${type}`;
}

/** Core NATS (not JetStream): delivery tells whichever gateway holds a principal's stream to look. */
export const LIVE_SUBJECT_PREFIX = 'parley.live';

export function liveSubject(principalId: string): string {
  return `${LIVE_SUBJECT_PREFIX}.${principalId}`;
}

/** Webhook work items: one message per delivery to send, held in a work-queue stream. */
export const WEBHOOK_DELIVERY_SUBJECT = 'parley.webhook.delivery';
