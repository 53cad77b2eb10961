/**
 * The installation's namespace (`PARLEY_NAMESPACE`, default `parley`): the first token of every
 * subject and the prefix of every stream name, so two installations that share one NATS server
 * share no stream, durable consumer or subject (a durable lives in its stream). Read when contracts
 * load, because every subject and stream name below is derived from it; a service validates the same
 * variable (libs/runtime, `ServiceEnv`) before it touches NATS, so a bad value stops it by name.
 */
export const DEFAULT_NAMESPACE = 'parley';

/** A subject token and, upper-cased, a stream-name prefix that no other namespace can produce. */
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

export const NAMESPACE = process.env.PARLEY_NAMESPACE || DEFAULT_NAMESPACE;

/** `COMMANDS` in the default namespace is `PARLEY_COMMANDS`. */
export function streamName(suffix: string): string {
  return `${NAMESPACE.toUpperCase()}_${suffix}`;
}
