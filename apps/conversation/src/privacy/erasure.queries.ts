import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  ErasureCertificate,
  ErasureQuery,
  ErasureRequestQuery,
  ErasureRequestsQuery,
  ErasureRequestView,
  Page,
  QuerySubjects,
} from '@parley/contracts';
import { AnswerQuery, QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { decodeKeyset, encodeKeyset } from '../conversations/keyset-cursor';
import { ErasureRepository } from './erasure.repository';

/** Erasure certificates and customers' erasure requests, for admins. */
@Controller()
export class ErasureQueries {
  private readonly erasures: ErasureRepository;

  constructor(db: DataSource) {
    this.erasures = new ErasureRepository(db);
  }

  @AnswerQuery(QuerySubjects.erasure)
  async certificate(@Payload() q: ErasureQuery): Promise<ErasureCertificate> {
    const certificate = await this.erasures.certificate(q.erasureId);
    if (!certificate) throw new QueryRejected(404, 'Not found', `There is no erasure ${q.erasureId}.`);
    return certificate;
  }

  @AnswerQuery(QuerySubjects.erasureRequest)
  async request(@Payload() q: ErasureRequestQuery): Promise<ErasureRequestView> {
    const request = q.requestId
      ? await this.erasures.requestById(q.requestId)
      : q.pendingOf
        ? await this.erasures.pendingRequestOf(q.pendingOf)
        : undefined;
    if (!request) throw new QueryRejected(404, 'Not found', 'There is no such erasure request.');
    return request;
  }

  @AnswerQuery(QuerySubjects.erasureRequests)
  async requests(@Payload() q: ErasureRequestsQuery): Promise<Page<ErasureRequestView>> {
    const after = q.cursor ? (decodeKeyset(q.cursor, ['string', 'string']) as [string, string]) : undefined;
    const rows = await this.erasures.requests(q.status, after, q.limit + 1);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > q.limit && last ? encodeKeyset([last.requestedAt, last.id]) : null,
    };
  }
}
