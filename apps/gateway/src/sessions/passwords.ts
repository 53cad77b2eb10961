import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id (the package's algorithm by default) at 64 MiB, 3 passes and 4 lanes: OWASP's second
 * recommended set. @node-rs/argon2 ships a prebuilt binary per platform as an npm package, so the
 * image installs it with `--ignore-scripts` and builds nothing. The gateway hashes, so a password
 * never travels beyond the request that carries it.
 */
const COST = { memoryCost: 65_536, timeCost: 3, parallelism: 4 };

@Injectable()
export class Passwords {
  /** Checked when no agent has the email, so that a wrong email costs as long as a wrong password. */
  private readonly decoy = hash('parley-decoy-password', COST);

  hash(password: string): Promise<string> {
    return hash(password, COST);
  }

  async matches(hashed: string | undefined, password: string): Promise<boolean> {
    const against = hashed ?? (await this.decoy);
    return (await verify(against, password)) && hashed !== undefined;
  }
}
