import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { DatabaseUnreachable } from './database';
import { isDatabaseUnavailable } from './database-unavailable';
import { PartitionLeaseOptions, PartitionLeases } from './partition-leases';

/** Readiness of the service's database: a `SELECT 1` on its pool. */
@Injectable()
export class DatabaseHealth {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check() {
    const database = this.indicators.check('database');
    try {
      await this.dataSource.query('SELECT 1');
      return database.up();
    } catch (error) {
      return database.down({ reason: (error as Error).message });
    }
  }
}

/**
 * A service's PostgreSQL as `runService` needs it (its `storage`), beside the `PersistenceModule`
 * that opens it: the classification of connection failures, the partition leases in the service's
 * schema, readiness, and a start refused by an unreachable server.
 */
export const postgresStorage = {
  isUnavailable: isDatabaseUnavailable,
  leases: (options: PartitionLeaseOptions) => new PartitionLeases(options),
  readiness: DatabaseHealth,
  startFailure: (error: unknown) => (error instanceof DatabaseUnreachable ? error.message : undefined),
};
