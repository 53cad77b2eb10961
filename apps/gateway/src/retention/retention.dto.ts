import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  RETENTION_DAYS_MAX,
  RETENTION_PREVIEW_MAX,
  RetentionPolicyView,
  RetentionPreview,
  SetRetentionPolicy,
} from '@parley/contracts';
import { CONVERSATION_ID, SITE_ID } from '../api/examples';
import { RequestFrom } from '../api/request-from';
import { ATTACHMENT_ID } from '../attachments/attachments.dto';

const AT = '2026-12-07T12:00:00.000Z';

const DAYS_DOC: Record<'resolvedConversationDays' | 'attachmentDays', ApiPropertyOptions> = {
  resolvedConversationDays: {
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: RETENTION_DAYS_MAX,
    example: 365,
    default: null,
    description:
      'Resolved conversations are removed entirely (from every service: messages, notes, receipts, inbox rows, attachments, ratings) once their resolution is this many days old; a conversation reopened before the run stays. null: keep forever',
  },
  attachmentDays: {
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: RETENTION_DAYS_MAX,
    example: 90,
    default: null,
    description:
      'Attachments are deleted from the object store this many days after the message that carries them; the message stays and shows the attachment as expired, and its download answers 410. null: keep forever',
  },
};

export class RetentionPolicyRequest extends RequestFrom(SetRetentionPolicy, {
  given: [],
  defaulted: ['resolvedConversationDays', 'attachmentDays'],
  assigned: ['siteId'],
}) {
  @ApiPropertyOptional(DAYS_DOC.resolvedConversationDays) override resolvedConversationDays?: number | null;
  @ApiPropertyOptional(DAYS_DOC.attachmentDays) override attachmentDays?: number | null;
}

export class RetentionAccepted {
  @ApiProperty({ example: SITE_ID }) siteId: string;
}

export class RetentionRunCounts {
  @ApiProperty({ example: 12 }) conversations: number;
  @ApiProperty({ example: 30 }) attachments: number;
}

export class RetentionPolicy implements RetentionPolicyView {
  @ApiProperty({ example: SITE_ID }) siteId: string;
  @ApiProperty(DAYS_DOC.resolvedConversationDays) resolvedConversationDays: number | null;
  @ApiProperty(DAYS_DOC.attachmentDays) attachmentDays: number | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: AT,
    description: 'When the policy was last set; null while the site keeps everything (the default)',
  })
  updatedAt: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: AT,
    description: "When a run last went through the site's policy; null before the first",
  })
  lastRunAt: string | null;
  @ApiProperty({
    type: RetentionRunCounts,
    nullable: true,
    description:
      "What that run removed: each removal is applied in its conversation's turn, within seconds when the services are up",
  })
  lastRun: RetentionRunCounts | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: AT,
    description: 'When the scheduled run (every site, every PARLEY_RETENTION_INTERVAL_MINUTES) comes next',
  })
  nextRunAt: string | null;
}

export class RetentionPreviewQueryParams {
  @ApiPropertyOptional({
    type: 'integer',
    default: 200,
    minimum: 1,
    maximum: RETENTION_PREVIEW_MAX,
    example: 200,
    description: 'The most conversations, and attachments, listed',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(RETENTION_PREVIEW_MAX)
  limit?: number;
}

export class PreviewedConversation {
  @ApiProperty({ example: CONVERSATION_ID }) id: string;
  @ApiProperty({ format: 'date-time', example: AT }) resolvedAt: string;
}

export class PreviewedAttachment {
  @ApiProperty({ example: ATTACHMENT_ID }) id: string;
  @ApiProperty({ example: CONVERSATION_ID }) conversationId: string;
  @ApiProperty({ format: 'date-time', example: AT, description: 'When the message carrying it was stored' })
  takenAt: string;
}

export class RetentionPreviewAnswer implements RetentionPreview {
  @ApiProperty({ example: SITE_ID }) siteId: string;
  @ApiProperty({ format: 'date-time', example: AT, description: 'The moment ages were measured against' })
  asOf: string;
  @ApiProperty(DAYS_DOC.resolvedConversationDays) resolvedConversationDays: number | null;
  @ApiProperty(DAYS_DOC.attachmentDays) attachmentDays: number | null;
  @ApiProperty({
    type: [PreviewedConversation],
    description:
      'Resolved conversations the run would remove, oldest resolution first; each goes with its attachments',
  })
  conversations: PreviewedConversation[];
  @ApiProperty({
    type: [PreviewedAttachment],
    description: 'Attachments the run would delete in conversations that stay, oldest first',
  })
  attachments: PreviewedAttachment[];
  @ApiProperty({ example: false, description: 'Whether either list was cut at `limit`; the run removes all' })
  truncated: boolean;
}
