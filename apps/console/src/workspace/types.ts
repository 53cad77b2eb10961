import type { components } from '@parley/client';

export type Conversation = components['schemas']['ConversationItem'];
export type Agent = components['schemas']['AgentItem'];
export type Presence = Agent['presence'];
export type Priority = Conversation['priority'];
export type Status = Conversation['status'];

export const PRIORITIES: Priority[] = ['urgent', 'high', 'normal', 'low'];

/** Inbox events, re-dispatched inside the workspace to whichever view cares (`inbox-event`). */
export type InboxBus = EventTarget;

export type Label = components['schemas']['LabelItem'];
export type SavedReply = components['schemas']['SavedReplyItem'];
