import { TestEnvironment } from 'jest-environment-node';
import { liveChildren } from './children';

/**
 * Jest's node environment, plus one duty: a broker or service a test file started and left running
 * (a start that failed half way, a forgotten stop) is killed when the file ends, and the file fails
 * naming it. Left alone, such a process keeps Jest from ever exiting, and CI waits out its time.
 */
export default class ProcessGuardEnvironment extends TestEnvironment {
  override async teardown(): Promise<void> {
    const leaked = [...liveChildren(this.global)];
    await Promise.all(
      leaked.map(
        ([child]) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGKILL');
          }),
      ),
    );
    await super.teardown();
    if (leaked.length > 0) {
      const names = leaked.map(([child, what]) => `${what} (pid ${child.pid})`).join(', ');
      throw new Error(`this test file left running, and the guard killed: ${names}`);
    }
  }
}
