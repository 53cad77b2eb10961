export * from './mask';
export * from './secret-box';
export * from './link-signer';
