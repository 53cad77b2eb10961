import type { Type } from '@nestjs/common';
import type { ConsumerLease } from '@parley/jetstream';
import type { ReadinessIndicator } from './health';

/** The leases a process consumes its ordered durables under, from its start to its shutdown. */
export interface ProcessLeases extends ConsumerLease {
  /** First step of a shutdown: the others may take each partition as soon as it is released. */
  leave(): Promise<void>;
  /** Gives up every lease; called once the transport has stopped. */
  close(): Promise<void>;
}

/**
 * Where a service keeps its state, as far as running the process goes: the service's own modules
 * open and use it (persistence's `postgresStorage` with `PersistenceModule`). A service without one
 * (the gateway) loads none of it.
 */
export interface ServiceStorage {
  /** Failures meaning the storage is away: consumers wait for it instead of counting them. */
  isUnavailable: (error: unknown) => boolean;
  /** Leases for the service's ordered consumers, kept in the storage's `schema`. */
  leases: (options: { url: string; schema: string; ttlMs: number }) => ProcessLeases;
  /** Readiness of the storage, injected beside the health controller. */
  readiness: Type<ReadinessIndicator>;
  /** The one-line reason a start failed because the storage could not be reached, if it did. */
  startFailure: (error: unknown) => string | undefined;
}
