import { canonicalJson, chain, checkLinks, entryHash, GENESIS_HASH } from './audit-chain';

const entry = (id: string) => ({
  id,
  at: '2026-12-07T10:00:00.000Z',
  actor: { kind: 'agent' as const, id: 'agent-1' },
  action: 'conversation.read',
  subject: { kind: 'conversation', id: 'c-1' },
  details: { b: 1, a: ['x'] },
});

describe('the audit chain', () => {
  it('writes JSON with sorted keys at every level, so stored key order does not matter', () => {
    expect(canonicalJson({ b: { d: 1, c: [{ f: null, e: 'é' }] }, a: true })).toBe(
      '{"a":true,"b":{"c":[{"e":"é","f":null}],"d":1}}',
    );
    expect(canonicalJson({ z: 1, a: 2 })).toBe(canonicalJson({ a: 2, z: 1 }));
  });

  it('binds each entry to the one before, starting from the genesis hash', () => {
    const [first, second] = chain({ seq: 0, hash: GENESIS_HASH }, [entry('e1'), entry('e2')]);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(first.hash).toBe(entryHash(GENESIS_HASH, first));
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash });
    expect(second.hash).not.toBe(first.hash);
  });

  it('finds a changed field, a missing entry and a rewritten link, naming the first such entry', () => {
    const entries = chain({ seq: 0, hash: GENESIS_HASH }, ['e1', 'e2', 'e3', 'e4'].map(entry));
    const walk = () => ({ seq: 0, hash: GENESIS_HASH, checked: 0 });
    expect(checkLinks(walk(), entries)).toBeUndefined();

    const changed = entries.map((e) => (e.seq === 2 ? { ...e, details: { ...e.details, b: 2 } } : e));
    expect(checkLinks(walk(), changed)).toMatchObject({
      seq: 2,
      id: 'e2',
      reason: expect.stringMatching(/altered/),
    });

    const gap = entries.filter((e) => e.seq !== 3);
    expect(checkLinks(walk(), gap)).toMatchObject({ seq: 4, reason: expect.stringMatching(/missing/) });

    // Rehashing the altered entry does not help: the next one still names the old hash.
    const rehashed = entries.map((e) => {
      if (e.seq !== 2) return e;
      const altered = { ...e, actor: { kind: 'agent' as const, id: 'someone-else' } };
      return { ...altered, hash: entryHash(altered.prevHash, altered) };
    });
    expect(checkLinks(walk(), rehashed)).toMatchObject({ seq: 3, reason: expect.stringMatching(/prevHash/) });
  });

  it('counts what it checked before the first invalid entry', () => {
    const entries = chain({ seq: 0, hash: GENESIS_HASH }, ['e1', 'e2', 'e3'].map(entry));
    const walk = { seq: 0, hash: GENESIS_HASH, checked: 0 };
    checkLinks(walk, [entries[0], { ...entries[1], at: '2026-12-07T11:00:00.000Z' }]);
    expect(walk.checked).toBe(1);
  });
});
