import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches, ValidateBy } from 'class-validator';
import { DateTime } from 'luxon';
import {
  ConversationReport,
  ConversationReportBucket,
  ConversationReportFigures,
  ConversationReportQuery,
  CsatFigure,
  CsatQuery,
  CsatReport,
  ID_PATTERN,
  isTimeZone,
  REPORT_GRANULARITIES,
  REPORT_MAX_DAYS,
  ReportGranularity,
} from '@parley/contracts';
import { AGENT_ID, SITE_ID, TEAM } from '../api/examples';

export class CsatRequest implements CsatQuery {
  @ApiPropertyOptional({ example: SITE_ID, description: 'Only ratings of this site’s conversations' })
  @IsOptional()
  @Matches(ID_PATTERN)
  siteId?: string;

  @ApiPropertyOptional({ example: AGENT_ID, description: 'Only ratings that count for this agent' })
  @IsOptional()
  @Matches(ID_PATTERN)
  agentId?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-01T00:00:00Z',
    description: 'Rated at or after',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00Z', description: 'Rated before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class CsatFigureItem implements CsatFigure {
  @ApiProperty({ example: 4 }) ratings: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 4.25,
    description: 'Mean score (1–5), to two decimals; null without ratings',
  })
  averageScore: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 75,
    description: 'Share of ratings of 4 or 5, in percent to two decimals; null without ratings',
  })
  csat: number | null;
}

export class SiteCsatItem extends CsatFigureItem {
  @ApiProperty({
    nullable: true,
    type: String,
    example: SITE_ID,
    description: 'null: conversations of customers the API created',
  })
  siteId: string | null;
}

export class AgentCsatItem extends CsatFigureItem {
  @ApiProperty({
    nullable: true,
    type: String,
    example: AGENT_ID,
    description: 'The agent assigned when rated; null: nobody was',
  })
  agentId: string | null;
}

export class CsatReportItem implements CsatReport {
  @ApiProperty({ type: CsatFigureItem }) overall: CsatFigureItem;
  @ApiProperty({ type: [SiteCsatItem] }) bySite: SiteCsatItem[];
  @ApiProperty({ type: [AgentCsatItem] }) byAgent: AgentCsatItem[];
}

/** A calendar day, `YYYY-MM-DD`, that exists. */
function IsCalendarDay(): PropertyDecorator {
  return ValidateBy({
    name: 'isCalendarDay',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && DateTime.fromFormat(value, 'yyyy-MM-dd', { zone: 'UTC' }).isValid,
      defaultMessage: (args) => `${args?.property} must be a day as YYYY-MM-DD, such as 2026-12-01`,
    },
  });
}

function IsTimeZone(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimeZone',
    validator: {
      validate: isTimeZone,
      defaultMessage: () => 'timeZone must be an IANA time zone, such as Europe/Berlin',
    },
  });
}

export class ConversationReportRequest implements Partial<ConversationReportQuery> {
  @ApiPropertyOptional({
    format: 'date',
    example: '2026-12-01',
    description: 'The first day, in `timeZone`; by default six days before `to`',
  })
  @IsOptional()
  @IsCalendarDay()
  from?: string;

  @ApiPropertyOptional({
    format: 'date',
    example: '2026-12-07',
    description: `The last day, included, in \`timeZone\`; by default today. At most ${REPORT_MAX_DAYS} days from \`from\`.`,
  })
  @IsOptional()
  @IsCalendarDay()
  to?: string;

  @ApiPropertyOptional({
    example: 'Europe/Berlin',
    default: 'UTC',
    description: 'IANA time zone of the days and hours',
  })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({
    enum: REPORT_GRANULARITIES,
    default: 'day',
    example: 'day',
    description: '`day`: each day of the period; `hour`: each hour of the day (0–23) over the whole period',
  })
  @IsOptional()
  @IsIn(REPORT_GRANULARITIES)
  granularity?: ReportGranularity;

  @ApiPropertyOptional({ example: SITE_ID, description: 'Only conversations opened through this site' })
  @IsOptional()
  @Matches(ID_PATTERN)
  siteId?: string;

  @ApiPropertyOptional({ example: TEAM, description: 'Only conversations whose latest team is this one' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string;

  @ApiPropertyOptional({ example: AGENT_ID, description: 'Only conversations assigned to this agent last' })
  @IsOptional()
  @Matches(ID_PATTERN)
  agentId?: string;
}

const SECONDS_DOC = { nullable: true, type: Number, example: 754.5 };

export class ConversationReportFiguresItem implements ConversationReportFigures {
  @ApiProperty({ example: 42, description: 'Conversations opened' }) volume: number;
  @ApiProperty({ example: 40, description: 'Of those, how many an agent has answered' })
  firstResponses: number;
  @ApiProperty({
    ...SECONDS_DOC,
    description:
      'Median seconds from opening to the first reply of an agent (not a note, not the automatic reply); null: none answered',
  })
  firstResponseMedianSeconds: number | null;
  @ApiProperty({ ...SECONDS_DOC, description: '90th percentile of the same' })
  firstResponseP90Seconds: number | null;
  @ApiProperty({ example: 35, description: 'Of those, how many are resolved now' }) resolutions: number;
  @ApiProperty({
    ...SECONDS_DOC,
    description:
      'Median seconds from opening to the current resolution (a reopened conversation counts once resolved again); null: none resolved',
  })
  resolutionMedianSeconds: number | null;
  @ApiProperty({ ...SECONDS_DOC, description: '90th percentile of the same' })
  resolutionP90Seconds: number | null;
  @ApiProperty({
    example: 7,
    description:
      'Conversations opened and not resolved (open, pending or snoozed) at the end of the bucket: for a day at its end, for an hour of the day the mean over the days of the period at the end of that hour (two decimals), for the total at the end of the period',
  })
  backlog: number;
}

export class ConversationReportBucketItem
  extends ConversationReportFiguresItem
  implements ConversationReportBucket
{
  @ApiProperty({
    example: '2026-12-01',
    description: '`YYYY-MM-DD` for days, `0` … `23` for hours of the day',
  })
  bucket: string;
}

export class ConversationReportItem implements ConversationReport {
  @ApiProperty({ format: 'date', example: '2026-12-01' }) from: string;
  @ApiProperty({ format: 'date', example: '2026-12-07' }) to: string;
  @ApiProperty({ example: 'UTC' }) timeZone: string;
  @ApiProperty({ enum: REPORT_GRANULARITIES, example: 'day' }) granularity: ReportGranularity;
  @ApiProperty({ type: [ConversationReportBucketItem] }) buckets: ConversationReportBucketItem[];
  @ApiProperty({ type: ConversationReportFiguresItem, description: 'The whole period' })
  total: ConversationReportFiguresItem;
}
