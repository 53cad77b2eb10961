import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditRecorder } from './audit-recorder';

/**
 * The audit trail's gateway side: `@Audited` routes anywhere are recorded by the global
 * interceptor, and admins read the trail here. `AuditRecorder` records what a route cannot declare.
 */
@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditRecorder, { provide: APP_INTERCEPTOR, useClass: AuditInterceptor }],
  exports: [AuditRecorder],
})
export class AuditModule {}
