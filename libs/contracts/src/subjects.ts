import { NAMESPACE } from './namespace';

/**
 * Every NATS subject Parley uses, under the installation's namespace (`parley.…` by default).
 * Commands flow gateway → owning service, events flow from the service that decided them to everyone
 * interested, queries are request/reply.
 */
export const CommandSubjects = {
  registerAgent: `${NAMESPACE}.cmd.conversation.agent.register`,
  registerCustomer: `${NAMESPACE}.cmd.conversation.customer.register`,
  openConversation: `${NAMESPACE}.cmd.conversation.open`,
  postMessage: `${NAMESPACE}.cmd.conversation.message.post`,
  addNote: `${NAMESPACE}.cmd.conversation.note.add`,
  setPresence: `${NAMESPACE}.cmd.conversation.agent.presence`,
  setAgentPassword: `${NAMESPACE}.cmd.conversation.agent.password`,
  deactivateAgent: `${NAMESPACE}.cmd.conversation.agent.deactivate`,
  resetAgentPassword: `${NAMESPACE}.cmd.conversation.agent.password-reset`,
  startSession: `${NAMESPACE}.cmd.conversation.agent.session.start`,
  rotateSession: `${NAMESPACE}.cmd.conversation.agent.session.rotate`,
  endSession: `${NAMESPACE}.cmd.conversation.agent.session.end`,
  assignConversation: `${NAMESPACE}.cmd.conversation.assign`,
  transferConversation: `${NAMESPACE}.cmd.conversation.transfer`,
  changeStatus: `${NAMESPACE}.cmd.conversation.status`,
  changePriority: `${NAMESPACE}.cmd.conversation.priority`,
  markRead: `${NAMESPACE}.cmd.conversation.read`,
  wakeConversation: `${NAMESPACE}.cmd.conversation.wake`,
  registerSite: `${NAMESPACE}.cmd.conversation.site.register`,
  rotateSiteSecret: `${NAMESPACE}.cmd.conversation.site.secret.rotate`,
  setAnonymousVisitors: `${NAMESPACE}.cmd.conversation.site.anonymous-visitors`,
  configureSite: `${NAMESPACE}.cmd.conversation.site.configure`,
  rateConversation: `${NAMESPACE}.cmd.conversation.rate`,
  ackInbox: `${NAMESPACE}.cmd.delivery.inbox.ack`,
  registerWebhook: `${NAMESPACE}.cmd.delivery.webhook.register`,
  deleteWebhook: `${NAMESPACE}.cmd.delivery.webhook.delete`,
  retryWebhookDelivery: `${NAMESPACE}.cmd.delivery.webhook.retry`,
  receiveMail: `${NAMESPACE}.cmd.mail.inbound.receive`,
  unsubscribeCustomer: `${NAMESPACE}.cmd.mail.unsubscribe`,
  setAgentDigest: `${NAMESPACE}.cmd.mail.agent.digest`,
  defineLabel: `${NAMESPACE}.cmd.conversation.label.define`,
  changeLabel: `${NAMESPACE}.cmd.conversation.label.change`,
  deleteLabel: `${NAMESPACE}.cmd.conversation.label.delete`,
  setConversationLabels: `${NAMESPACE}.cmd.conversation.labels`,
  saveReply: `${NAMESPACE}.cmd.conversation.saved-reply.save`,
  changeSavedReply: `${NAMESPACE}.cmd.conversation.saved-reply.change`,
  deleteSavedReply: `${NAMESPACE}.cmd.conversation.saved-reply.delete`,
  updateCustomer: `${NAMESPACE}.cmd.conversation.customer.update`,
  exportCustomer: `${NAMESPACE}.cmd.conversation.customer.export`,
  setRetentionPolicy: `${NAMESPACE}.cmd.conversation.site.retention`,
  requestRetentionRun: `${NAMESPACE}.cmd.conversation.site.retention.run`,
  expireConversation: `${NAMESPACE}.cmd.conversation.retention.expire`,
  expireAttachments: `${NAMESPACE}.cmd.conversation.retention.attachments.expire`,
  eraseCustomer: `${NAMESPACE}.cmd.conversation.customer.erase`,
  confirmErasure: `${NAMESPACE}.cmd.conversation.erasure.confirm`,
  requestErasure: `${NAMESPACE}.cmd.conversation.customer.erasure-request`,
  declineErasureRequest: `${NAMESPACE}.cmd.conversation.erasure-request.decline`,
} as const;

export const QuerySubjects = {
  agents: `${NAMESPACE}.query.conversation.agents`,
  agentInvite: `${NAMESPACE}.query.conversation.agent-invite`,
  agentCredentials: `${NAMESPACE}.query.conversation.agent-credentials`,
  agentSession: `${NAMESPACE}.query.conversation.agent-session`,
  agentSessions: `${NAMESPACE}.query.conversation.agent-sessions`,
  conversations: `${NAMESPACE}.query.conversation.list`,
  conversation: `${NAMESPACE}.query.conversation.get`,
  queue: `${NAMESPACE}.query.conversation.queue`,
  customerConversations: `${NAMESPACE}.query.conversation.customer-conversations`,
  precheck: `${NAMESPACE}.query.conversation.precheck`,
  sites: `${NAMESPACE}.query.conversation.sites`,
  siteCredentials: `${NAMESPACE}.query.conversation.site-credentials`,
  siteAvailability: `${NAMESPACE}.query.conversation.site-availability`,
  csat: `${NAMESPACE}.query.conversation.csat`,
  conversationMessages: `${NAMESPACE}.query.history.messages`,
  message: `${NAMESPACE}.query.history.message`,
  search: `${NAMESPACE}.query.history.search`,
  inbox: `${NAMESPACE}.query.delivery.inbox`,
  webhooks: `${NAMESPACE}.query.delivery.webhooks`,
  webhookDeliveries: `${NAMESPACE}.query.delivery.webhook-deliveries`,
  webhookEndpoint: `${NAMESPACE}.query.delivery.webhook-endpoint`,
  webhookSecret: `${NAMESPACE}.query.delivery.webhook-secret`,
  unmatchedMail: `${NAMESPACE}.query.mail.unmatched`,
  siteSettings: `${NAMESPACE}.query.conversation.site-settings`,
  conversationReport: `${NAMESPACE}.query.history.conversation-report`,
  labels: `${NAMESPACE}.query.conversation.labels`,
  savedReplies: `${NAMESPACE}.query.conversation.saved-replies`,
  agentRole: `${NAMESPACE}.query.conversation.agent-role`,
  customer: `${NAMESPACE}.query.conversation.customer`,
  retentionPolicy: `${NAMESPACE}.query.conversation.retention-policy`,
  retentionPreview: `${NAMESPACE}.query.conversation.retention-preview`,
  erasure: `${NAMESPACE}.query.conversation.erasure`,
  erasureRequests: `${NAMESPACE}.query.conversation.erasure-requests`,
  erasureRequest: `${NAMESPACE}.query.conversation.erasure-request`,
} as const;

export const COMMAND_SUBJECT_PREFIX = `${NAMESPACE}.cmd`;
export const EVENT_SUBJECT_PREFIX = `${NAMESPACE}.evt`;
export const DEAD_LETTER_SUBJECT_PREFIX = `${NAMESPACE}.dlq`;

export function eventSubject(type: string): string {
  return `${EVENT_SUBJECT_PREFIX}.${type}`;
}

/** Core NATS (not JetStream): delivery tells whichever gateway holds a principal's stream to look. */
export const LIVE_SUBJECT_PREFIX = `${NAMESPACE}.live`;

export function liveSubject(principalId: string): string {
  return `${LIVE_SUBJECT_PREFIX}.${principalId}`;
}

/** Webhook work items: one message per delivery to send, held in a work-queue stream. */
export const WEBHOOK_SUBJECT_PREFIX = `${NAMESPACE}.webhook`;
export const WEBHOOK_DELIVERY_SUBJECT = `${WEBHOOK_SUBJECT_PREFIX}.delivery`;

/** Core NATS (not JetStream): someone is typing in a conversation (`parley.typing.<conversationId>`). */
export const TYPING_SUBJECT_PREFIX = `${NAMESPACE}.typing`;
