import { GoneException, Injectable, NotFoundException } from '@nestjs/common';
import {
  Command,
  CommandBody,
  CONVERSATION_ERASED_REASON,
  DomainEvent,
  EventType,
  EventTypes,
  eventId,
  MessageRejectedData,
  MessageStatusView,
  MessageView,
  Principal,
  QuerySubjects,
  StoredMessageData,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { CommandEndpoint } from '../api/command-endpoint';
import { CommandType } from '../api/command-sender';
import { whenKnown } from '../api/when-known';
import { AttachmentLinks } from '../attachments/attachment-links';
import { Write } from '../api/write';
import { MessageAccepted, MessageItem } from '../messages/messages.dto';

/**
 * How a write that stores a message or note (a post, a note, a transfer's private entry) answers
 * `Prefer: wait`: with the entry as `GET /v1/conversations/{id}/messages` shows it.
 */
@Injectable()
export class StoredEntries {
  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
    private readonly links: AttachmentLinks,
  ) {}

  /**
   * Sends a command that stores the entry `id` (its Nats-Msg-Id too): 202 with the id, or with
   * `Prefer: wait`, 201 with the entry once one of the events `settledBy` says it is stored (or
   * the 404 of a rejection).
   */
  store<C extends Command>(
    write: Write,
    id: string,
    type: CommandType<C>,
    body: CommandBody<C>,
    settledBy: EventType[],
  ): Promise<MessageAccepted | MessageItem> {
    return this.commands.create(
      write,
      { type, body, msgId: id },
      {
        expected: settledBy.map((event) => ({ type: event, id: eventId(event, id) })),
        accepted: { id },
        applied: (event: DomainEvent<StoredMessageData | MessageRejectedData>) => {
          if (event.type === EventTypes.messageRejected)
            throw rejection((event.data as MessageRejectedData).reason);
          return this.links.withUrls([storedEntry(event.data as StoredMessageData)])[0];
        },
        lookUp: () => this.now(id, write.principal),
      },
    );
  }

  /**
   * The entry as history has it now, for a retried write: undefined until it is stored there (or
   * while history cannot say); a rejection is thrown as the problem it is.
   */
  private async now(messageId: string, principal: Principal): Promise<MessageItem | undefined> {
    const found = await whenKnown(
      this.publisher.query<MessageStatusView>(QuerySubjects.message, { principal, messageId }),
    );
    if (found?.status === 'rejected') throw rejection(found.rejection ?? '');
    if (found?.status !== 'stored' || found.seq === null || found.body === null) return undefined;
    return this.links.withUrls([
      storedEntry({ ...found, messageId: found.id, seq: found.seq, body: found.body }),
    ])[0];
  }
}

/**
 * A stored message or note as `GET /v1/conversations/{id}/messages` shows it, from its event (where
 * an absent `via` means `api`) or from history.
 */
export function storedEntry(
  stored: Omit<MessageView, 'id' | 'via'> & Pick<StoredMessageData, 'messageId' | 'via'>,
): MessageItem {
  return {
    id: stored.messageId,
    conversationId: stored.conversationId,
    seq: stored.seq,
    authorId: stored.authorId,
    authorRole: stored.authorRole,
    type: stored.type,
    body: stored.body,
    createdAt: stored.createdAt,
    via: stored.via ?? 'api',
    ...(stored.attachments?.length && { attachments: stored.attachments }),
  };
}

/** A rejected write: its conversation was erased (410), or is not there for the author (404). */
function rejection(reason: string): Error {
  return reason === CONVERSATION_ERASED_REASON ? new GoneException(reason) : new NotFoundException(reason);
}
