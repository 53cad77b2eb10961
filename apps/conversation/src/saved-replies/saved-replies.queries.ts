import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Page, QuerySubjects, SavedRepliesQuery, SavedReplyView } from '@parley/contracts';
import { AnswerQuery, QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { decodeKeyset, encodeKeyset } from '../conversations/keyset-cursor';
import { SavedRepliesRepository } from './saved-replies.repository';

@Controller()
export class SavedRepliesQueries {
  private readonly replies: SavedRepliesRepository;

  constructor(db: DataSource) {
    this.replies = new SavedRepliesRepository(db);
  }

  /** The team's replies and the caller's own; someone else's personal reply is not found. */
  @AnswerQuery(QuerySubjects.savedReplies)
  async list(@Payload() q: SavedRepliesQuery): Promise<Page<SavedReplyView>> {
    if (q.id) {
      const reply = await this.replies.one(q.id);
      if (!reply || (reply.ownerId !== null && reply.ownerId !== q.principal.id))
        throw new QueryRejected(404, 'Not found', `Saved reply ${q.id} was not found.`);
      return { items: [reply], nextCursor: null };
    }
    const after = q.cursor ? (decodeKeyset(q.cursor, ['string', 'string']) as [string, string]) : undefined;
    const rows = await this.replies.visibleTo(q.principal.id, q.shortcut, after, q.limit + 1);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > q.limit && last ? encodeKeyset([last.shortcut.toLowerCase(), last.id]) : null,
    };
  }
}
