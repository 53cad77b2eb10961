import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AuditQuery, AuditVerifyQuery, Principal, QuerySubjects, RecordAudit } from '@parley/contracts';
import { AnswerQuery, HandleCommandBatch, QueryRejected } from '@parley/jetstream';
import { AuditTrailRepository } from './audit-trail.repository';

function adminOnly(principal: Principal | undefined): void {
  if (principal?.role !== 'admin')
    throw new QueryRejected(403, 'Forbidden', 'Only an admin reads the audit trail.');
}

/** The audit trail: records appended to the chain in stream order, and the admin's reads of it. */
@Controller()
export class AuditHandlers {
  constructor(private readonly trail: AuditTrailRepository) {}

  @HandleCommandBatch(RecordAudit)
  async recorded(@Payload() records: RecordAudit[]): Promise<void> {
    await this.trail.append(records);
  }

  @AnswerQuery(QuerySubjects.audit)
  entries(@Payload() query: AuditQuery) {
    adminOnly(query.principal);
    return this.trail.page(query);
  }

  @AnswerQuery(QuerySubjects.auditVerify)
  verify(@Payload() query: AuditVerifyQuery) {
    adminOnly(query.principal);
    return this.trail.verify(query.anchor);
  }
}
