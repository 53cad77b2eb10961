import { Injectable } from '@nestjs/common';

/**
 * The current token version of each principal whose tokens were ever revoked. A token carries the
 * version its principal had when it was issued (`ver`); once the principal's version has moved past
 * it, the token is refused, also when it was verified and remembered before.
 */
@Injectable()
export class TokenVersions {
  private readonly versions = new Map<string, number>();
  private readonly watchers = new Map<string, Set<() => void>>();

  current(principalId: string): number {
    return this.versions.get(principalId) ?? 0;
  }

  /** Versions only rise: a late or repeated notice of an older version changes nothing. */
  advance(principalId: string, version: number): void {
    if (version <= this.current(principalId)) return;
    this.versions.set(principalId, version);
    for (const revoked of this.watchers.get(principalId) ?? []) revoked();
  }

  /** Calls `revoked` when the principal's tokens are revoked, until the returned function is called. */
  watch(principalId: string, revoked: () => void): () => void {
    const watchers = this.watchers.get(principalId) ?? new Set();
    this.watchers.set(principalId, watchers.add(revoked));
    return () => {
      watchers.delete(revoked);
      if (!watchers.size) this.watchers.delete(principalId);
    };
  }

  revokes(principalId: string, issuedVersion: number): boolean {
    return issuedVersion < this.current(principalId);
  }
}
