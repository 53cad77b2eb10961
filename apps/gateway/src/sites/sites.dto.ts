import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Page, RegisterSite, SetAnonymousVisitors, SiteView } from '@parley/contracts';
import { SITE_CREATED_AT, SITE_CURSOR, SITE_ID, SITE_NAME, SITE_SECRET } from '../api/examples';
import { RequestFrom } from '../api/request-from';

export class CreateSiteRequest extends RequestFrom(RegisterSite, {
  given: ['name'],
  defaulted: ['allowAnonymous'],
  assigned: ['siteId', 'sealedSecret'],
}) {
  @ApiProperty({ example: SITE_NAME, maxLength: 200 })
  override name: string;

  @ApiPropertyOptional({
    default: false,
    example: false,
    description:
      'Whether a visitor the business did not sign in gets a customer token of their own (an anonymous customer)',
  })
  override allowAnonymous?: boolean;
}

export class AnonymousVisitorsRequest extends RequestFrom(SetAnonymousVisitors, {
  given: ['allowAnonymous'],
  assigned: ['siteId'],
}) {
  @ApiProperty({
    example: true,
    description: 'Whether a visitor the business did not sign in gets a customer token of their own',
  })
  override allowAnonymous: boolean;
}

export class AnonymousVisitors {
  @ApiProperty({ example: SITE_ID }) id: string;
  @ApiProperty({ example: true }) allowAnonymous: boolean;
}

export class SiteSecret {
  @ApiProperty({ example: SITE_ID }) id: string;
  @ApiProperty({
    example: SITE_SECRET,
    description:
      "The site's identity-verification secret; shown only once. Its backend signs identity tokens with it (HS256, the secret's UTF-8 bytes as the key)",
  })
  secret: string;
}

export class SiteItem implements SiteView {
  @ApiProperty({ example: SITE_ID }) id: string;
  @ApiProperty({ example: SITE_NAME }) name: string;
  @ApiProperty({ example: false }) allowAnonymous: boolean;
  @ApiProperty({ format: 'date-time', example: SITE_CREATED_AT }) createdAt: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    example: null,
    description: 'When the current secret replaced the one before; null if never rotated',
  })
  secretRotatedAt: string | null;
}

export class SitePage implements Page<SiteView> {
  @ApiProperty({ type: [SiteItem] }) items: SiteItem[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: SITE_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}
