import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';
import { CsatFigure, CsatQuery, CsatReport, ID_PATTERN } from '@parley/contracts';
import { AGENT_ID, SITE_ID } from '../api/examples';

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
