import { encodeInboxCursor } from '@parley/contracts';
import { customerIdFor } from './ids';

/**
 * The values the OpenAPI document shows as `example`s. They tell one story, so that a reader can
 * follow an id from schema to schema: customer `crm-42` opens a conversation about order #1234, it
 * is assigned to the agent Ada Lovelace, she replies (seq 2) and the reply reaches the customer's
 * inbox and a webhook endpoint. Ids, times and cursors have the shapes the API really returns.
 * Documentation only: nothing but the OpenAPI document reads these.
 */

/** The same externalId always maps to the same customer id, so this one is computed. */
export const EXTERNAL_ID = 'crm-42';
export const CUSTOMER_ID = customerIdFor(EXTERNAL_ID);
export const AGENT_ID = '0192f7a0-1c2d-7e3f-8a9b-0c1d2e3f4a5b';
/** The agent a conversation is transferred to. */
export const OTHER_AGENT_ID = '0192f7a1-88e4-7b21-a3c5-6d7e8f901a2b';
export const CONVERSATION_ID = '0192f7b2-4e61-7a0c-b5d8-2f3e4a5b6c7d';
/** The conversation's first message, from the customer (seq 1). */
export const MESSAGE_ID = '0192f7b2-4e61-7a0c-b5d8-2f3e4a5b6c7e';
/** The agent's reply (seq 2). */
export const REPLY_ID = '0192f7b8-2a90-7d13-8e47-5c6d7e8f9a0b';
export const WEBHOOK_ID = '0192f2c4-9d1e-7f20-b3a4-5b6c7d8e9f01';
/** Inbox and webhook event ids are `<type>:<entity id>`. */
export const EVENT_ID = `message.created:${REPLY_ID}`;
/** `whd_` and a hash of the webhook and event ids. */
export const DELIVERY_ID = 'whd_YtfaMsFjFr3xLA9O5ODx61GP4ufWtEO_';
/** A JWT as issued by POST /v1/agents and /v1/customers (HS256, `sub` the principal's id). */
export const TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYWdlbnQiLCJpYXQiOjE3OTU2MjY0MzAsImV4cCI6MTc5ODIxODQzMCwic3ViIjoiMDE5MmY3YTAtMWMyZC03ZTNmLThhOWItMGMxZDJlM2Y0YTViIn0.sB0x2CWSCUQCIbhnMUN4oUeFIWRCj2q3-VZk414PRiA';
export const SESSION_ID = 'q9ZkR2b7XwT4mN1pL8vC3g';
export const INVITE_TOKEN = 'Zq3v9kXb0mQe2Lr7TnW4yHs8JdC1uFg6PaV5oEiR3xA';
export const WEBHOOK_SECRET = 'whsec_nf6NXt5zVg3jx2mYsbmjpvd2ayrDTLsD';
export const WEBHOOK_URL = 'https://example.com/parley-webhooks';
/** The shop's site, where the widget is embedded, and its identity-verification secret. */
export const SITE_ID = '0192f1a8-3b5c-7d2e-9f40-a1b2c3d4e5f6';
export const SITE_NAME = 'Shop';
export const SITE_SECRET = 'psite_Wq3nV8yZt2Kd5Lm9Rx7Pb4Hc6Jf1Gs0AeUiOo2Yw3Tq';
export const SITE_CREATED_AT = '2026-11-24T15:48:02.331Z';

export const AGENT_NAME = 'Ada Lovelace';
export const AGENT_EMAIL = 'ada@example.com';
export const TEAM = 'billing';
export const SUBJECT = 'Where is my order?';
export const FIRST_BODY = 'Hi! My order #1234 has not arrived.';
export const REPLY_BODY = 'It ships tomorrow morning.';

/** RFC 3339 UTC, with milliseconds, as the API writes them. */
export const WEBHOOK_CREATED_AT = '2026-11-24T16:02:45.120Z';
export const OPENED_AT = '2026-11-25T09:14:07.412Z';
export const REPLIED_AT = '2026-11-25T09:20:31.058Z';
export const DELIVERED_AT = '2026-11-25T09:20:31.402Z';
export const READ_AT = '2026-11-25T09:22:10.977Z';
export const SNOOZE_UNTIL = '2026-11-26T09:00:00.000Z';
export const INVITED_UNTIL = '2026-12-02T16:02:45.120Z';
export const DEAD_LETTERED_AT = '2026-11-25T10:03:12.877Z';

/** The position of the reply's event in the customer's inbox. */
export const INBOX_CURSOR = encodeInboxCursor(1042);

/** List cursors are base64url JSON of the sort key of the last item (see the services' queries). */
const keyset = (...values: Array<string | number>): string =>
  Buffer.from(JSON.stringify(values)).toString('base64url');
export const AGENT_CURSOR = keyset(AGENT_ID);
/** GET /v1/conversations: most recently active first. */
export const CONVERSATION_CURSOR = keyset(REPLIED_AT, CONVERSATION_ID);
/** The seq to continue from: a page of messages ending at the reply. */
export const MESSAGE_CURSOR = '2';
export const SEARCH_RANK = 0.0759;
export const SEARCH_CURSOR = keyset(SEARCH_RANK, REPLY_ID);
export const WEBHOOK_CURSOR = keyset(WEBHOOK_CREATED_AT, WEBHOOK_ID);
export const SITE_CURSOR = keyset(SITE_ID);
/** Webhook deliveries: newest first. */
export const DELIVERY_CURSOR = keyset(DELIVERED_AT, DELIVERY_ID);
/** Dead letters are named by their sequence in PARLEY_DEAD_LETTERS. */
export const DEAD_LETTER_ID = '17';

/** What a `message.created` event carries in `data` (a stored message). */
export const MESSAGE_CREATED_DATA = {
  messageId: REPLY_ID,
  conversationId: CONVERSATION_ID,
  seq: 2,
  authorId: AGENT_ID,
  authorRole: 'agent',
  type: 'message',
  body: REPLY_BODY,
  createdAt: REPLIED_AT,
};
export const LABEL_ID = '0195f0c1-6b1e-7c3a-9a51-2a4b8f0e1d20';
export const SAVED_REPLY_ID = '0195f0c1-7d2f-7a10-8b62-3c5d9e1f2a31';
export const LABEL_CURSOR = keyset('refund', LABEL_ID);
export const SAVED_REPLY_CURSOR = keyset('refund', SAVED_REPLY_ID);
