import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import {
  ChangeSavedReply,
  Page,
  SAVED_REPLY_BODY_MAX,
  SAVED_REPLY_PLACEHOLDERS,
  SAVED_REPLY_SCOPES,
  SaveReply,
  SavedReplyScope,
  SavedReplyView,
  SHORTCUT_PATTERN,
} from '@parley/contracts';
import { AGENT_ID, OPENED_AT, REPLIED_AT, SAVED_REPLY_CURSOR, SAVED_REPLY_ID } from '../api/examples';
import { PageQuery } from '../api/paging';
import { RequestFrom } from '../api/request-from';

const SHORTCUT = {
  example: 'refund',
  pattern: SHORTCUT_PATTERN.source,
  description:
    'What follows `/` in the composer; unique within its scope (the team’s, or the owner’s), whatever its case',
};
const BODY = {
  example: 'Hello {{customer.name}}, your refund is on its way. {{agent.name}}',
  maxLength: SAVED_REPLY_BODY_MAX,
  description: `The text; the console fills in ${SAVED_REPLY_PLACEHOLDERS.map((p) => `\`${p}\``).join(', ')}`,
};

export class CreateSavedReplyRequest extends RequestFrom(SaveReply, {
  given: ['shortcut', 'body'],
  defaulted: ['scope'],
  assigned: ['replyId'],
}) {
  @ApiPropertyOptional({
    enum: SAVED_REPLY_SCOPES,
    default: 'personal',
    example: 'team',
    description:
      '`team`: every agent sees it (admins and supervisors write these); `personal`: only its author',
  })
  override scope?: SavedReplyScope;
  @ApiProperty(SHORTCUT) override shortcut: string;
  @ApiProperty(BODY) override body: string;
}

export class ChangeSavedReplyRequest extends RequestFrom(ChangeSavedReply, {
  given: ['shortcut', 'body'],
  assigned: ['replyId'],
}) {
  @ApiPropertyOptional(SHORTCUT) override shortcut?: string;
  @ApiPropertyOptional(BODY) override body?: string;
}

export class SavedRepliesQuery extends PageQuery {
  @ApiPropertyOptional({
    example: 'ref',
    description: 'Those whose shortcut starts with this, whatever its case',
  })
  @IsOptional()
  @Matches(SHORTCUT_PATTERN)
  shortcut?: string;
}

export class SavedReplyItem implements SavedReplyView {
  @ApiProperty({ example: SAVED_REPLY_ID }) id: string;
  @ApiProperty({ enum: SAVED_REPLY_SCOPES, example: 'team' }) scope: SavedReplyScope;
  @ApiProperty({
    nullable: true,
    type: String,
    example: AGENT_ID,
    description: 'The owner of a personal reply; null for the team’s',
  })
  ownerId: string | null;
  @ApiProperty({ example: SHORTCUT.example }) shortcut: string;
  @ApiProperty({ example: BODY.example }) body: string;
  @ApiProperty({ format: 'date-time', example: OPENED_AT }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: REPLIED_AT }) updatedAt: string;
}

export class SavedReplyPage implements Page<SavedReplyView> {
  @ApiProperty({ type: [SavedReplyItem] }) items: SavedReplyItem[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: SAVED_REPLY_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}

export class SavedReplyAccepted {
  @ApiProperty({ example: SAVED_REPLY_ID }) id: string;
}
