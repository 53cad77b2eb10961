import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CsatQuery,
  CsatReport,
  CursorQuery,
  Page,
  QuerySubjects,
  SiteAvailability,
  SiteAvailabilityQuery,
  SiteConfiguredData,
  SiteCredentials,
  SiteCredentialsQuery,
  SiteSettingsQuery,
  SiteView,
} from '@parley/contracts';
import { AnswerQuery, QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { ConversationRepository } from '../conversations/conversation.repository';
import { PeopleRepository } from '../people/people.repository';
import { decodeKeyset, encodeKeyset } from '../conversations/keyset-cursor';
import { availabilityAt } from './business-hours';
import { SitesRepository } from './sites.repository';

/** The window of first responses the usual reply time is the median of. */
export const USUAL_REPLY_WINDOW_DAYS = 14;

const siteNotFound = (siteId: string) => new QueryRejected(404, 'Not found', `Site ${siteId} was not found.`);

@Controller()
export class SitesQueries {
  private readonly sites: SitesRepository;
  private readonly conversations: ConversationRepository;
  private readonly people: PeopleRepository;

  constructor(db: DataSource) {
    this.sites = new SitesRepository(db);
    this.conversations = new ConversationRepository(db);
    this.people = new PeopleRepository(db);
  }

  @AnswerQuery(QuerySubjects.sites)
  async list(@Payload() q: CursorQuery): Promise<Page<SiteView>> {
    const after = q.cursor ? (decodeKeyset(q.cursor, ['string'])[0] as string) : '';
    const rows = await this.sites.sites(after, q.limit + 1);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeKeyset([last.id]) : null };
  }

  /** For the gateway, which opens the sealed secret to verify a visitor's identity token. */
  @AnswerQuery(QuerySubjects.siteCredentials)
  async credentials(@Payload() q: SiteCredentialsQuery): Promise<SiteCredentials> {
    const credentials = await this.sites.credentials(q.siteId);
    if (!credentials) throw siteNotFound(q.siteId);
    return credentials;
  }

  @AnswerQuery(QuerySubjects.siteSettings)
  async settings(@Payload() q: SiteSettingsQuery): Promise<SiteConfiguredData> {
    const settings = await this.sites.settings(q.siteId);
    if (!settings) throw siteNotFound(q.siteId);
    return settings;
  }

  /**
   * Whether the team is in, when it is back, how soon it usually answers, and whether an agent is
   * online right now: for the widget.
   */
  @AnswerQuery(QuerySubjects.siteAvailability)
  async availability(@Payload() q: SiteAvailabilityQuery): Promise<SiteAvailability> {
    const site = await this.sites.settings(q.siteId);
    if (!site) throw siteNotFound(q.siteId);
    const { open, nextOpenAt } = availabilityAt(site, new Date());
    const measured = await this.sites.medianFirstResponseSeconds(q.siteId, USUAL_REPLY_WINDOW_DAYS);
    const promised = site.expectedReplyMinutes === null ? null : site.expectedReplyMinutes * 60;
    return {
      open,
      nextOpenAt: nextOpenAt?.toISOString() ?? null,
      timeZone: site.timeZone,
      usualReplySeconds: measured === null ? promised : Math.round(measured),
      agentsOnline: await this.people.agentsOnline(),
    };
  }

  @AnswerQuery(QuerySubjects.csat)
  csat(@Payload() q: CsatQuery): Promise<CsatReport> {
    return this.conversations.csat(q);
  }
}
