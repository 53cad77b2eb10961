export * from './database';
export * from './database-unavailable';
export * from './outbox';
export * from './persistence.module';
export * from './lease-fence.subscriber';
export * from './partition-leases';
export * from './postgres-storage';
export * from './erasure-ledger';
