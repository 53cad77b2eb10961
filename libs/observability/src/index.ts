export * from './logging';
export * from './metrics';
export * from './tracing';
export * from './stream-expiry';
