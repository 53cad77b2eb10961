export * from './subjects';
export * from './streams';
export * from './principal';
export * from './commands';
export * from './events';
export * from './queries';
export * from './inbox-cursor';
