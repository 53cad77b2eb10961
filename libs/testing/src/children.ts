import type { ChildProcess } from 'node:child_process';

// Symbol.for is shared across realms, so the Jest environment (outside the test's sandbox) and the
// test code (inside it) reach the same registry through the test file's global object.
const REGISTRY = Symbol.for('parley.testing.liveChildren');

type Registry = Map<ChildProcess, string>;

/** The processes this lib started in `scope` (a test file's global) that have not exited yet. */
export function liveChildren(scope: object = globalThis): Registry {
  const holder = scope as Record<symbol, Registry | undefined>;
  return (holder[REGISTRY] ??= new Map());
}

/** Remembers a started process until it exits, so one a test file leaves running can be named and killed. */
export function track(child: ChildProcess, what: string): ChildProcess {
  const live = liveChildren();
  live.set(child, what);
  child.once('exit', () => live.delete(child));
  return child;
}
