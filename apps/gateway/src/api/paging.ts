import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from '@parley/contracts';
import { CONVERSATION_CURSOR } from './examples';

/** `?limit=` of every list: 1 to 200, 50 by default. */
export class LimitQuery {
  @ApiPropertyOptional({
    type: 'integer',
    default: PAGE_LIMIT_DEFAULT,
    minimum: 1,
    maximum: PAGE_LIMIT_MAX,
    example: 20,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMIT_MAX)
  limit?: number;
}

/** `?cursor=&limit=` of a keyset-paged list; lists whose cursors look otherwise document theirs with `ApiListCursor`. */
export class PageQuery extends LimitQuery {
  @ApiPropertyOptional({
    description: 'nextCursor of the previous page of the same list (opaque; each list has its own)',
    example: CONVERSATION_CURSOR,
  })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  cursor?: string;
}

/** The page a list query asks its owning service for: the cursor, and the limit with its default. */
export function pageOf(query: PageQuery): { cursor?: string; limit: number } {
  return { cursor: query.cursor, limit: query.limit ?? PAGE_LIMIT_DEFAULT };
}
