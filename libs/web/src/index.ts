export * from './api-result';
export * from './messages';
export * from './time';
export * from './use-draft';
export * from './use-inbox';
export * from './use-mark-read';
export * from './use-receipt';
export * from './use-typing';
