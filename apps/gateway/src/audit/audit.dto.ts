import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';
import {
  AUDIT_ACTION_PATTERN,
  AUDIT_ACTOR_KINDS,
  AuditActorKind,
  AuditEntryView,
  AuditFact,
  AuditHead,
  AuditVerification,
} from '@parley/contracts';
import { AGENT_ID, CONVERSATION_ID } from '../api/examples';
import { LimitQuery } from '../api/paging';

const HASH_EXAMPLE = '3f0a9c6d2b1e4f5a8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b';
/** A time of day and an offset: a bare date would be read in the database's time zone. */
const DATE_TIME = /T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i;
const KIND_AND_ID = (kinds: string) => new RegExp(`^(${kinds})(:[A-Za-z0-9_-]{1,64})?$`);

/** Filters of the list and the export; every one given must match. */
export class AuditFilters {
  @ApiPropertyOptional({
    example: `agent:${AGENT_ID}`,
    description: `Who acted: \`kind\` (${AUDIT_ACTOR_KINDS.join(', ')}) or \`kind:id\``,
  })
  @IsOptional()
  @Matches(KIND_AND_ID(AUDIT_ACTOR_KINDS.join('|')), {
    message: `actor must be a kind (${AUDIT_ACTOR_KINDS.join(', ')}) or kind:id`,
  })
  actor?: string;

  @ApiPropertyOptional({
    example: `conversation:${CONVERSATION_ID}`,
    description: 'What it was about: `kind` (conversation, agent, site, session, label, …) or `kind:id`',
  })
  @IsOptional()
  @Matches(KIND_AND_ID('[a-z][a-z-]{0,39}'), { message: 'subject must be a kind or kind:id' })
  subject?: string;

  @ApiPropertyOptional({ example: 'conversation.read', description: 'The action, exactly' })
  @IsOptional()
  @Matches(AUDIT_ACTION_PATTERN, { message: 'action must be an action such as conversation.read' })
  action?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00Z', description: 'At or after' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(DATE_TIME, {
    message: 'from must be an RFC 3339 date-time with its offset, e.g. 2026-12-01T00:00:00Z',
  })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-08T00:00:00Z', description: 'Before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(DATE_TIME, {
    message: 'to must be an RFC 3339 date-time with its offset, e.g. 2026-12-08T00:00:00Z',
  })
  to?: string;
}

export class AuditListQuery extends IntersectionType(AuditFilters, LimitQuery) {
  @ApiPropertyOptional({
    description: 'nextCursor of the previous page (entries older than it)',
    example: '1024',
  })
  @IsOptional()
  @Matches(/^[1-9]\d{0,17}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class AuditVerifyRequest {
  @ApiPropertyOptional({
    example: `1024:${HASH_EXAMPLE}`,
    description:
      'A head kept elsewhere earlier (`seq:hash`, from `head` of an earlier answer): the chain must still hold that entry unchanged, which shows entries cut off its end',
  })
  @IsOptional()
  @Matches(/^[1-9]\d{0,17}:[0-9a-f]{64}$/, { message: 'anchor must be seq:hash, as an earlier head says' })
  anchor?: string;
}

export class AuditActorItem {
  @ApiProperty({ enum: AUDIT_ACTOR_KINDS, example: 'agent' }) kind: AuditActorKind;
  @ApiProperty({
    type: String,
    nullable: true,
    example: AGENT_ID,
    description: 'null only when nobody could be named: a sign-in with an unknown email',
  })
  id: string | null;
}

export class AuditSubjectItem {
  @ApiProperty({ example: 'conversation' }) kind: string;
  @ApiProperty({ example: CONVERSATION_ID }) id: string;
}

export class AuditEntryItem implements AuditEntryView {
  @ApiProperty({ example: '5b7f3c1e-8d2a-4f6b-9c0e-1a2b3c4d5e6f' }) id: string;
  @ApiProperty({ example: 1024, description: 'Its place in the chain, from 1, without gaps' }) seq: number;
  @ApiProperty({ format: 'date-time', example: '2026-12-07T10:00:00.000Z' }) at: string;
  @ApiProperty({ type: AuditActorItem }) actor: AuditActorItem;
  @ApiProperty({ example: 'conversation.read' }) action: string;
  @ApiProperty({ type: AuditSubjectItem, nullable: true }) subject: AuditSubjectItem | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: {},
    description: 'Ids and small facts (a role, a switch, a reason), never content',
  })
  details: Record<string, AuditFact>;
  @ApiProperty({
    example: HASH_EXAMPLE,
    description: 'The hash of the entry before (64 zeros for the first)',
  })
  prevHash: string;
  @ApiProperty({
    example: HASH_EXAMPLE,
    description:
      'sha256 (hex) of prevHash followed by the canonical JSON (keys sorted, no spaces) of id, seq, at, actor, action, subject and details',
  })
  hash: string;
}

export class AuditEntryPage {
  @ApiProperty({ type: [AuditEntryItem] }) items: AuditEntryItem[];
  @ApiProperty({ type: String, nullable: true, example: '1004' }) nextCursor: string | null;
}

export class AuditHeadItem implements AuditHead {
  @ApiProperty({ example: 1024 }) seq: number;
  @ApiProperty({ example: HASH_EXAMPLE }) hash: string;
}

export class AuditInvalidEntry {
  @ApiProperty({ example: 17 }) seq: number;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '5b7f3c1e-8d2a-4f6b-9c0e-1a2b3c4d5e6f',
    description: 'null when no stored entry is to blame (entries cut off the end, the anchor lost)',
  })
  id: string | null;
  @ApiProperty({ example: 'the entry does not hash to its hash: it was altered' }) reason: string;
}

export class AuditVerificationItem implements AuditVerification {
  @ApiProperty({ example: true }) valid: boolean;
  @ApiProperty({ example: 1024, description: 'Entries found sound, from the first' }) checked: number;
  @ApiPropertyOptional({ type: AuditInvalidEntry }) firstInvalid?: AuditInvalidEntry;
  @ApiProperty({
    type: AuditHeadItem,
    nullable: true,
    description: 'The newest entry: keep it elsewhere and pass it as `anchor` later',
  })
  head: AuditHeadItem | null;
}
