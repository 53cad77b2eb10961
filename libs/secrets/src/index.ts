export * from './mask';
export * from './secret-box';
