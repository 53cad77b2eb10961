import { BaseRpcContext } from '@nestjs/microservices';
import type { JsMsg } from '@nats-io/jetstream';

/**
 * What a handler may know about the message it is handling (`@Ctx() ctx: JetStreamContext`); a
 * batch handler gets all of its messages, in stream order.
 */
export class JetStreamContext extends BaseRpcContext<JsMsg[]> {
  get message(): JsMsg {
    return this.args[0];
  }

  get messages(): JsMsg[] {
    return this.args;
  }

  get subject(): string {
    return this.message.subject;
  }

  /** 1 on first delivery; grows with every redelivery. */
  get deliveryCount(): number {
    return this.message.info.deliveryCount;
  }

  /** Tells the server the handler is still busy so the message is not redelivered meanwhile. */
  working(): void {
    for (const m of this.args) m.working();
  }
}
