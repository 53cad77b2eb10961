export * from './compiled-rules';
