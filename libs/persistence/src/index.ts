export * from './database';
export * from './outbox';
export * from './persistence.module';
