// nats.js's `internal` entry point, which this repository's `moduleResolution: node` cannot see
// through the package's `exports`; Node.js resolves it at run time. Only what is used here.
declare module '@nats-io/nats-core/internal' {
  export const RequestOne: { prototype: object };
}
