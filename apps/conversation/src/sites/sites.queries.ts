import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CursorQuery,
  Page,
  QuerySubjects,
  SiteCredentials,
  SiteCredentialsQuery,
  SiteView,
} from '@parley/contracts';
import { AnswerQuery, QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { decodeKeyset, encodeKeyset } from '../conversations/keyset-cursor';
import { SitesRepository } from './sites.repository';

@Controller()
export class SitesQueries {
  private readonly sites: SitesRepository;

  constructor(db: DataSource) {
    this.sites = new SitesRepository(db);
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
    if (!credentials) throw new QueryRejected(404, 'Not found', `Site ${q.siteId} was not found.`);
    return credentials;
  }
}
