import { Module } from '@nestjs/common';
import { AuditHandlers } from './audit.handlers';
import { AuditTrailRepository } from './audit-trail.repository';

/** The audit trail's chain (docs/adr/0017-audit-trail.md). */
@Module({
  controllers: [AuditHandlers],
  providers: [AuditTrailRepository],
})
export class AuditModule {}
