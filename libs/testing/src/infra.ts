/**
 * Where the test harness gets NATS and PostgreSQL: containers when a Docker engine answers,
 * otherwise this machine (its own nats-server child, a fresh database on the local PostgreSQL).
 * `TEST_INFRA=containers|local` forces one.
 */
export type InfraKind = 'containers' | 'local';

let chosen: Promise<InfraKind> | undefined;

async function probeContainerRuntime(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export function infraKind(): Promise<InfraKind> {
  chosen ??= (async () => {
    const forced = process.env.TEST_INFRA;
    if (forced && forced !== 'containers' && forced !== 'local') {
      throw new Error(`TEST_INFRA must be "containers" or "local", got "${forced}"`);
    }
    const kind: InfraKind =
      (forced as InfraKind) ?? ((await probeContainerRuntime()) ? 'containers' : 'local');
    process.stderr.write(
      `[parley-testing] NATS and PostgreSQL from ${kind === 'containers' ? 'testcontainers' : 'this machine'}${forced ? ' (TEST_INFRA)' : ''}\n`,
    );
    return kind;
  })();
  return chosen;
}
