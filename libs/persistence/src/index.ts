export * from './database';
export * from './outbox';
export * from './persistence.module';
export * from './advisory-lease';
