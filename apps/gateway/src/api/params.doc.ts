import { ApiParam, ApiQuery } from '@nestjs/swagger';
import {
  AGENT_ID,
  CONVERSATION_ID,
  CUSTOMER_ID,
  DEAD_LETTER_ID,
  DELIVERY_ID,
  LABEL_ID,
  MESSAGE_ID,
  SAVED_REPLY_ID,
  SITE_ID,
  SESSION_ID,
  WEBHOOK_ID,
} from './examples';

/** The `{id}` (or other) path parameter of a route, with what it names and an example. */
const pathParam =
  (description: string, example: string, name = 'id') =>
  () =>
    ApiParam({ name, description, example });

export const ApiAgentIdParam = pathParam('Agent id', AGENT_ID);
export const ApiConversationIdParam = pathParam('Conversation id', CONVERSATION_ID);
export const ApiCustomerIdParam = pathParam('Customer id', CUSTOMER_ID);
export const ApiMessageIdParam = pathParam('Message or note id', MESSAGE_ID);
export const ApiSiteIdParam = pathParam('Site id', SITE_ID);
export const ApiSessionIdParam = pathParam('Session id (a device where the agent is signed in)', SESSION_ID);
export const ApiWebhookIdParam = pathParam('Webhook id', WEBHOOK_ID);
export const ApiDeliveryIdParam = pathParam('Webhook delivery id', DELIVERY_ID, 'deliveryId');
export const ApiDeadLetterIdParam = pathParam(
  'Dead letter id (its sequence in the dead-letter stream)',
  DEAD_LETTER_ID,
);

/** `?cursor=` of a list whose cursors look different from the conversation lists' (PageQuery's example). */
export const ApiListCursor = (example: string) =>
  ApiQuery({
    name: 'cursor',
    required: false,
    description: 'nextCursor of the previous page of the same list (opaque)',
    example,
  });
export const ApiLabelIdParam = pathParam('Label id', LABEL_ID);
export const ApiSavedReplyIdParam = pathParam('Saved reply id', SAVED_REPLY_ID);
