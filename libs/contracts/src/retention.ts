import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsISO8601,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { Command, ID_PATTERN } from './commands';
import { CommandSubjects } from './subjects';

/** The longest a policy may keep something: ten years (beyond that, keep it forever: `null`). */
export const RETENTION_DAYS_MAX = 3650;

/** Conversations or attachments one `ExpireAttachments` names at most. */
export const RETENTION_ATTACHMENTS_PER_COMMAND_MAX = 500;

/** The most items of each kind a preview lists (`limit`'s ceiling). */
export const RETENTION_PREVIEW_MAX = 1000;

/**
 * A site's retention policy: resolved conversations are removed entirely once their resolution is
 * older than `resolvedConversationDays`, attachments once older than `attachmentDays`. `null`:
 * keep forever. Replaces the site's policy.
 */
export class SetRetentionPolicy extends Command {
  static readonly subject = CommandSubjects.setRetentionPolicy;
  @Matches(ID_PATTERN) siteId: string;
  @ValidateIf((o: SetRetentionPolicy) => o.resolvedConversationDays !== null)
  @IsInt()
  @Min(1)
  @Max(RETENTION_DAYS_MAX)
  resolvedConversationDays: number | null;
  @ValidateIf((o: SetRetentionPolicy) => o.attachmentDays !== null)
  @IsInt()
  @Min(1)
  @Max(RETENTION_DAYS_MAX)
  attachmentDays: number | null;
}

/** An admin asks for the site's retention to run now rather than at the next scheduled run. */
export class RequestRetentionRun extends Command {
  static readonly subject = CommandSubjects.requestRetentionRun;
  @Matches(ID_PATTERN) siteId: string;
}

/**
 * Issued by the retention run to the conversation's own partition: remove the conversation
 * entirely, if it is still resolved since before `resolvedBefore` (a customer may have reopened it
 * since the run chose it).
 */
export class ExpireConversation extends Command {
  static readonly subject = CommandSubjects.expireConversation;
  @Matches(ID_PATTERN) conversationId: string;
  @Matches(ID_PATTERN) siteId: string;
  @IsISO8601() resolvedBefore: string;
}

/**
 * Issued by the retention run to the conversation's partition: delete these attachments of the
 * conversation from the object store, those taken by a message before `takenBefore`.
 */
export class ExpireAttachments extends Command {
  static readonly subject = CommandSubjects.expireAttachments;
  @Matches(ID_PATTERN) conversationId: string;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(RETENTION_ATTACHMENTS_PER_COMMAND_MAX)
  @Matches(ID_PATTERN, { each: true })
  attachmentIds: string[];
  @IsISO8601() takenBefore: string;
}

/** `retentionPolicy`: a site's policy and its runs; 404 when no such site. */
export interface RetentionPolicyQuery {
  siteId: string;
}

export interface RetentionPolicyView {
  siteId: string;
  resolvedConversationDays: number | null;
  attachmentDays: number | null;
  /** When the policy was last set; null while the site keeps everything by default. */
  updatedAt: string | null;
  /** When a run last went through the site's policy; null before the first. */
  lastRunAt: string | null;
  /** What that run removed (it issues the removals; each is applied in its conversation's turn). */
  lastRun: { conversations: number; attachments: number } | null;
  /** When the scheduled run comes next (every site's policy); an admin may ask for one sooner. */
  nextRunAt: string | null;
}

/** `retentionPreview`: what the next run would remove now, by the very query the run uses. */
export interface RetentionPreviewQuery {
  siteId: string;
  limit: number;
}

export interface RetentionPreview {
  siteId: string;
  /** The moment the ages were measured against. */
  asOf: string;
  resolvedConversationDays: number | null;
  attachmentDays: number | null;
  /** Resolved conversations whose resolution is older than the policy, oldest first; each goes with its attachments. */
  conversations: Array<{ id: string; resolvedAt: string }>;
  /** Attachments older than the policy in conversations that stay, oldest first. */
  attachments: Array<{ id: string; conversationId: string; takenAt: string }>;
  /** Whether either list was cut at `limit` (the run removes the rest too). */
  truncated: boolean;
}

/** The attachments' objects were deleted for the site's retention: history and the console show them as expired. */
export interface AttachmentsExpiredData {
  conversationId: string;
  attachmentIds: string[];
}
