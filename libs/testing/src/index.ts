export * from './database';
export * from './infra';
export * from './nats-server';
export * from './parley-system';
export * from './ports';
export * from './service-process';
export * from './validation-conformance';
export * from './backlog';
