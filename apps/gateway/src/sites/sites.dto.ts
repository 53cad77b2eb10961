import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import {
  AUTO_REPLY_MAX,
  ConfigureSite,
  EXPECTED_REPLY_MINUTES_MAX,
  HOLIDAYS_MAX,
  NOTIFY_DELAY_SECONDS_MAX,
  OPENING_SPANS_PER_DAY_MAX,
  OpeningHours,
  Page,
  RegisterSite,
  SetAnonymousVisitors,
  SiteAvailability,
  SiteConfiguredData,
  SiteView,
  SITE_SETTINGS_DEFAULTS,
} from '@parley/contracts';
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

type SiteSettingsFields = Omit<SiteConfiguredData, 'siteId' | 'name'>;

export class OpeningHoursItem implements OpeningHours {
  @ApiProperty({ minimum: 1, maximum: 7, example: 1, description: 'ISO weekday: 1 Monday … 7 Sunday' })
  day: number;
  @ApiProperty({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', example: '09:00' }) opens: string;
  @ApiProperty({
    pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
    example: '17:30',
    description: 'After `opens` on the same day (no span runs past midnight)',
  })
  closes: string;
}

const SETTINGS_DOC: Record<keyof Required<SiteSettingsFields>, ApiPropertyOptions> = {
  timeZone: {
    example: 'Europe/Berlin',
    default: 'UTC',
    description: 'IANA time zone the hours and holidays are in',
  },
  hours: {
    type: [OpeningHoursItem],
    default: [],
    description: `Weekly opening spans, at most ${OPENING_SPANS_PER_DAY_MAX} a day; empty: open around the clock`,
  },
  holidays: {
    type: [String],
    format: 'date',
    example: ['2026-12-24', '2026-12-25'],
    default: [],
    maxItems: HOLIDAYS_MAX,
    description: 'Days (YYYY-MM-DD, in the time zone) the team is away all day',
  },
  expectedReplyMinutes: {
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: EXPECTED_REPLY_MINUTES_MAX,
    example: 30,
    default: null,
    description: 'Promised until first responses have been measured (the widget shows the measured median)',
  },
  notifyDelaySeconds: {
    minimum: 0,
    maximum: NOTIFY_DELAY_SECONDS_MAX,
    example: 120,
    default: 120,
    description: "How long an agent's reply may stay unread before the customer is emailed",
  },
  autoReply: {
    type: String,
    nullable: true,
    maxLength: AUTO_REPLY_MAX,
    example: "Thanks! We're out right now and will answer when we're back.",
    default: null,
    description:
      'Sent once per conversation to the first customer message that arrives out of hours; null: none',
  },
  conversationUrl: {
    type: String,
    nullable: true,
    example: 'https://shop.example/help?conversation={conversationId}',
    default: null,
    description:
      "Where emails link to (the page embedding the widget), `{conversationId}` replaced; null: Parley's own widget page",
  },
};

export class SiteSettingsRequest extends RequestFrom(ConfigureSite, {
  given: [],
  defaulted: [
    'timeZone',
    'hours',
    'holidays',
    'expectedReplyMinutes',
    'notifyDelaySeconds',
    'autoReply',
    'conversationUrl',
  ],
  assigned: ['siteId'],
}) {
  @ApiPropertyOptional(SETTINGS_DOC.timeZone) override timeZone?: string;
  @ApiPropertyOptional(SETTINGS_DOC.hours) override hours?: OpeningHoursItem[];
  @ApiPropertyOptional(SETTINGS_DOC.holidays) override holidays?: string[];
  @ApiPropertyOptional(SETTINGS_DOC.expectedReplyMinutes) override expectedReplyMinutes?: number | null;
  @ApiPropertyOptional(SETTINGS_DOC.notifyDelaySeconds) override notifyDelaySeconds?: number;
  @ApiPropertyOptional(SETTINGS_DOC.autoReply) override autoReply?: string | null;
  @ApiPropertyOptional(SETTINGS_DOC.conversationUrl) override conversationUrl?: string | null;
}

/** The settings a site starts with, and what `PUT …/settings` fills in for a field left out. */
export const DEFAULT_SITE_SETTINGS: Required<SiteSettingsRequest> = SITE_SETTINGS_DEFAULTS;

export class SiteSettings implements SiteConfiguredData {
  @ApiProperty({ example: SITE_ID }) siteId: string;
  @ApiProperty({ example: SITE_NAME }) name: string;
  @ApiProperty(SETTINGS_DOC.timeZone) timeZone: string;
  @ApiProperty(SETTINGS_DOC.hours) hours: OpeningHoursItem[];
  @ApiProperty(SETTINGS_DOC.holidays) holidays: string[];
  @ApiProperty(SETTINGS_DOC.expectedReplyMinutes) expectedReplyMinutes: number | null;
  @ApiProperty(SETTINGS_DOC.notifyDelaySeconds) notifyDelaySeconds: number;
  @ApiProperty(SETTINGS_DOC.autoReply) autoReply: string | null;
  @ApiProperty(SETTINGS_DOC.conversationUrl) conversationUrl: string | null;
}

export class SiteSettingsAccepted {
  @ApiProperty({ example: SITE_ID }) siteId: string;
}

export class SiteAvailabilityItem implements SiteAvailability {
  @ApiProperty({ example: false, description: 'Whether it is within business hours now' }) open: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    example: '2026-12-14T08:00:00.000Z',
    description: 'When closed: when the team is back; null while open',
  })
  nextOpenAt: string | null;
  @ApiProperty({ example: 'Europe/Berlin' }) timeZone: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 1500,
    description:
      "The median first response (the customer's first message to the first agent's message; automatic replies do not count) of the site's conversations of the last 14 days; without any, the site's expected reply time; null when neither",
  })
  usualReplySeconds: number | null;
  @ApiProperty({ example: true, description: 'Whether some agent is online now' }) agentsOnline: boolean;
}
