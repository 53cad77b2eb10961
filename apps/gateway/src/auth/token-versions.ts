import { Injectable } from '@nestjs/common';

/**
 * The current token version of each principal whose tokens were ever revoked. A token carries the
 * version its principal had when it was issued (`ver`); once the principal's version has moved past
 * it, the token is refused, also when it was verified and remembered before.
 */
@Injectable()
export class TokenVersions {
  private readonly versions = new Map<string, number>();

  current(principalId: string): number {
    return this.versions.get(principalId) ?? 0;
  }

  /** Versions only rise: a late or repeated notice of an older version changes nothing. */
  advance(principalId: string, version: number): void {
    if (version > this.current(principalId)) this.versions.set(principalId, version);
  }

  revokes(principalId: string, issuedVersion: number): boolean {
    return issuedVersion < this.current(principalId);
  }
}
