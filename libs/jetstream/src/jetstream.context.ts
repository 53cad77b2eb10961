import { BaseRpcContext } from '@nestjs/microservices';
import type { JsMsg } from '@nats-io/jetstream';

/** What a handler may know about the message it is handling (`@Ctx() ctx: JetStreamContext`). */
export class JetStreamContext extends BaseRpcContext<[JsMsg]> {
  get message(): JsMsg {
    return this.args[0];
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
    this.message.working();
  }
}
