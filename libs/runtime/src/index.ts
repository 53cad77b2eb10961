export * from './bootstrap';
export * from './config';
export * from './health';
export * from './service-storage';
