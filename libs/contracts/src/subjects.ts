/**
 * Every NATS subject Parley uses. Commands flow gateway → owning service, events flow from the
 * service that decided them to everyone interested, queries are request/reply.
 */
export const CommandSubjects = {
  registerAgent: 'parley.cmd.conversation.agent.register',
  registerCustomer: 'parley.cmd.conversation.customer.register',
  openConversation: 'parley.cmd.conversation.open',
  postMessage: 'parley.cmd.conversation.message.post',
} as const;

export const QuerySubjects = {
  conversationMessages: 'parley.query.history.messages',
  inbox: 'parley.query.delivery.inbox',
} as const;

export const EVENT_SUBJECT_PREFIX = 'parley.evt';
export const DEAD_LETTER_SUBJECT_PREFIX = 'parley.dlq';

export function eventSubject(type: string): string {
  return `${EVENT_SUBJECT_PREFIX}.${type}`;
}
