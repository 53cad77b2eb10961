import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  QuerySubjects,
  RetentionPolicyQuery,
  RetentionPolicyView,
  RetentionPreview,
  RetentionPreviewQuery,
} from '@parley/contracts';
import { AnswerQuery, QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { previewRetention } from './retention-run';
import { RetentionRepository } from './retention.repository';

const siteNotFound = (siteId: string) => new QueryRejected(404, 'Not found', `Site ${siteId} was not found.`);

/** A site's retention policy, and the dry run of it: what the run would remove now. */
@Controller()
export class RetentionQueries {
  private readonly retention: RetentionRepository;

  constructor(db: DataSource) {
    this.retention = new RetentionRepository(db);
  }

  @AnswerQuery(QuerySubjects.retentionPolicy)
  async policy(@Payload() q: RetentionPolicyQuery): Promise<RetentionPolicyView> {
    const policy = await this.retention.policy(q.siteId);
    if (!policy) throw siteNotFound(q.siteId);
    return policy;
  }

  @AnswerQuery(QuerySubjects.retentionPreview)
  async preview(@Payload() q: RetentionPreviewQuery): Promise<RetentionPreview> {
    const policy = await this.retention.sitePolicy(q.siteId);
    if (!policy) throw siteNotFound(q.siteId);
    return previewRetention(this.retention, policy, new Date(), q.limit);
  }
}
