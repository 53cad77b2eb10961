import { Injectable } from '@nestjs/common';
import { argon2id, hash, verify } from 'argon2';

/**
 * Argon2id with the package's defaults (64 MiB, 3 passes, 4 lanes; OWASP's second recommended
 * set). The gateway hashes, so a password never travels beyond the request that carries it.
 */
@Injectable()
export class Passwords {
  /** Checked when no agent has the email, so that a wrong email costs as long as a wrong password. */
  private readonly decoy = hash('parley-decoy-password', { type: argon2id });

  hash(password: string): Promise<string> {
    return hash(password, { type: argon2id });
  }

  async matches(hashed: string | undefined, password: string): Promise<boolean> {
    const against = hashed ?? (await this.decoy);
    return (await verify(against, password)) && hashed !== undefined;
  }
}
