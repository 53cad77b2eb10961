import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AckInbox } from '@parley/contracts';
import { HandleCommand } from '@parley/jetstream';
import { Inbox } from './inbox';

@Controller()
export class InboxCommandsHandler {
  constructor(private readonly inbox: Inbox) {}

  @HandleCommand(AckInbox)
  async ack(@Payload() cmd: AckInbox): Promise<void> {
    await this.inbox.acknowledge(cmd);
  }
}
