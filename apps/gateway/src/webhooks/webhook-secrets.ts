import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { QuerySubjects, WebhookSecretAnswer, WebhookSecretQuery } from '@parley/contracts';
import { JetStreamPublisher, unanswered } from '@parley/jetstream';
import { SecretBox } from '@parley/secrets';

/** A webhook's signing secret: in clear for the one answer that shows it, sealed for everything else. */
export interface IssuedSecret {
  secret: string;
  sealed: string;
}

const SECRET_BYTES = 32;

/**
 * Signing secrets are random and leave the gateway only sealed (the command that registers them
 * stays in JetStream for days). The registration's answer is the one place they appear in clear.
 */
@Injectable()
export class WebhookSecrets {
  constructor(
    private readonly box: SecretBox,
    private readonly publisher: JetStreamPublisher,
  ) {}

  /**
   * The secret of the webhook `webhookId`: the one it was registered with when the registration is
   * retried (its id follows from the Idempotency-Key), else a new one. When delivery cannot answer,
   * the id is taken as new: only a retry made while delivery is away can then show a secret that
   * is not the registered one, and the registered one stays sealed either way.
   */
  async issue(webhookId: string): Promise<IssuedSecret> {
    const registered = await this.registered(webhookId);
    if (registered) return { secret: this.box.open(registered), sealed: registered };
    const secret = `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;
    return { secret, sealed: this.box.seal(secret) };
  }

  private async registered(webhookId: string): Promise<string | null> {
    try {
      const query: WebhookSecretQuery = { webhookId };
      const answer = await this.publisher.query<WebhookSecretAnswer>(
        QuerySubjects.webhookSecret,
        query,
        2_000,
      );
      return answer.sealedSecret ?? null;
    } catch (error) {
      if (unanswered(error)) return null;
      throw error;
    }
  }
}
