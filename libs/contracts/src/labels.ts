import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { Command, ID_PATTERN } from './commands';
import type { Principal } from './principal';
import type { CursorQuery } from './queries';
import { CommandSubjects } from './subjects';

/** A label's colour: `#rrggbb`, as a console draws its chip. */
export const LABEL_COLOUR_PATTERN = /^#[0-9a-fA-F]{6}$/;
export const LABEL_NAME_MAX = 50;
export const LABEL_DESCRIPTION_MAX = 200;
/** Labels one conversation carries at most. */
export const LABELS_PER_CONVERSATION_MAX = 20;

/** A saved reply is shared by the whole team or kept by the agent who wrote it. */
export const SAVED_REPLY_SCOPES = ['team', 'personal'] as const;
export type SavedReplyScope = (typeof SAVED_REPLY_SCOPES)[number];
/** What follows the `/` in the composer: letters, digits, `-` and `_`. */
export const SHORTCUT_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
export const SAVED_REPLY_BODY_MAX = 10_000;
/** The placeholders a saved reply's body may hold; the console fills them in. */
export const SAVED_REPLY_PLACEHOLDERS = [
  '{{customer.name}}',
  '{{customer.email}}',
  '{{agent.name}}',
  '{{conversation.id}}',
] as const;

export interface LabelView {
  id: string;
  name: string;
  colour: string;
  description: string | null;
  createdAt: string;
}

export interface SavedReplyView {
  id: string;
  scope: SavedReplyScope;
  /** The agent a personal reply belongs to; null for the team's. */
  ownerId: string | null;
  shortcut: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

/** A label as events name it: enough for a webhook receiver to show it without a lookup. */
export interface LabelRef {
  id: string;
  name: string;
  colour: string;
}

export interface LabelsChangedData {
  conversationId: string;
  /** Every label the conversation carries now, in the order they were put on. */
  labels: LabelRef[];
  added: string[];
  removed: string[];
  changedBy: string;
}

export class DefineLabel extends Command {
  static readonly subject = CommandSubjects.defineLabel;
  @IsString() @Matches(ID_PATTERN) labelId: string;
  @IsString() @Length(1, LABEL_NAME_MAX) name: string;
  @Matches(LABEL_COLOUR_PATTERN) colour: string;
  @IsOptional() @IsString() @Length(0, LABEL_DESCRIPTION_MAX) description?: string;
}

export class ChangeLabel extends Command {
  static readonly subject = CommandSubjects.changeLabel;
  @IsString() @Matches(ID_PATTERN) labelId: string;
  @IsOptional() @IsString() @Length(1, LABEL_NAME_MAX) name?: string;
  @IsOptional() @Matches(LABEL_COLOUR_PATTERN) colour?: string;
  @IsOptional() @IsString() @Length(0, LABEL_DESCRIPTION_MAX) description?: string;
}

/** Deletes a label and takes it off every conversation that carried it. */
export class DeleteLabel extends Command {
  static readonly subject = CommandSubjects.deleteLabel;
  @IsString() @Matches(ID_PATTERN) labelId: string;
}

/** The whole set of labels a conversation carries from now on. */
export class SetConversationLabels extends Command {
  static readonly subject = CommandSubjects.setConversationLabels;
  @IsString() @Length(1, 64) conversationId: string;
  @IsArray()
  @ArrayMaxSize(LABELS_PER_CONVERSATION_MAX)
  @Matches(ID_PATTERN, { each: true })
  labelIds: string[];
}

export class SaveReply extends Command {
  static readonly subject = CommandSubjects.saveReply;
  @IsString() @Matches(ID_PATTERN) replyId: string;
  @IsIn(SAVED_REPLY_SCOPES) scope: SavedReplyScope;
  @Matches(SHORTCUT_PATTERN) shortcut: string;
  @IsString() @Length(1, SAVED_REPLY_BODY_MAX) body: string;
}

export class ChangeSavedReply extends Command {
  static readonly subject = CommandSubjects.changeSavedReply;
  @IsString() @Matches(ID_PATTERN) replyId: string;
  @IsOptional() @Matches(SHORTCUT_PATTERN) shortcut?: string;
  @IsOptional() @IsString() @Length(1, SAVED_REPLY_BODY_MAX) body?: string;
}

export class DeleteSavedReply extends Command {
  static readonly subject = CommandSubjects.deleteSavedReply;
  @IsString() @Matches(ID_PATTERN) replyId: string;
}

/** Labels by name, case-insensitively; `id` asks for that one only, `name` for the one so named (any case). */
export interface LabelsQuery extends CursorQuery {
  id?: string;
  name?: string;
}

/**
 * The saved replies the principal may use: the team's and their own. `shortcut` keeps those whose
 * shortcut starts with it (the composer's `/` list); `id` asks for one.
 */
export interface SavedRepliesQuery extends CursorQuery {
  shortcut?: string;
  id?: string;
}

/** The queue, narrowed: only conversations matching every filter given. */
export interface QueueQuery extends CursorQuery {
  priority?: string;
  team?: string;
  labels?: string[];
}

/** An agent's role (admin, supervisor, agent): who may define labels and the team's replies. */
export interface AgentRoleQuery {
  principal: Principal;
  agentId: string;
}
