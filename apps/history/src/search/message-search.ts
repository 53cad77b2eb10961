import { Injectable } from '@nestjs/common';
import { Page, SearchHit, SearchQuery } from '@parley/contracts';
import { QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';

interface HitRow {
  id: string;
  conversation_id: string;
  customer_id: string;
  seq: number;
  author_id: string;
  type: 'message' | 'note';
  created_at: Date;
  rank: number;
  snippet: string;
}

function encodeCursor(rank: number, id: string): string {
  return Buffer.from(JSON.stringify([rank, id])).toString('base64url');
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const [rank, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof rank === 'number' && Number.isFinite(rank) && typeof id === 'string' && id.length <= 64)
      return [rank, id];
  } catch {
    // fall through to the 400 below
  }
  throw new QueryRejected(400, 'Invalid cursor', 'The cursor was not issued by this search.');
}

/**
 * PostgreSQL full-text search over message bodies: English stemming (`websearch_to_tsquery`, so
 * quotes, `or` and `-word` work), a GIN index, ranked by `ts_rank_cd`, with a highlighted snippet.
 * A customer searches only their own conversations and never notes.
 */
@Injectable()
export class MessageSearch {
  constructor(private readonly db: DataSource) {}

  async search(q: SearchQuery): Promise<Page<SearchHit>> {
    const params: unknown[] = [q.q];
    const where = ['m.search @@ query'];
    const bind = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (q.principal.role === 'customer') {
      where.push(`m.customer_id = ${bind(q.principal.id)}`, "m.type = 'message'");
    }
    if (q.customerId) where.push(`m.customer_id = ${bind(q.customerId)}`);
    if (q.conversationId) where.push(`m.conversation_id = ${bind(q.conversationId)}`);
    if (q.cursor) {
      const [rank, id] = decodeCursor(q.cursor);
      where.push(`(ts_rank_cd(m.search, query), m.id) < (${bind(rank)}::real, ${bind(id)})`);
    }
    const rows: HitRow[] = await this.db.query(
      `WITH hits AS (
         SELECT m.id, m.conversation_id, m.customer_id, m.seq, m.author_id, m.type, m.created_at, m.body,
                ts_rank_cd(m.search, query) AS rank, query
           FROM history.messages m, websearch_to_tsquery('english', $1) query
          WHERE ${where.join(' AND ')}
          ORDER BY rank DESC, m.id DESC
          LIMIT ${bind(q.limit + 1)}
       )
       SELECT id, conversation_id, customer_id, seq, author_id, type, created_at, rank,
              ts_headline('english', replace(replace(replace(body, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), query,
                          'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=8, MaxFragments=2') AS snippet
         FROM hits ORDER BY rank DESC, id DESC`,
      params,
    );
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r) => ({
        messageId: r.id,
        conversationId: r.conversation_id,
        customerId: r.customer_id,
        seq: r.seq,
        authorId: r.author_id,
        type: r.type,
        createdAt: r.created_at.toISOString(),
        rank: r.rank,
        snippet: r.snippet,
      })),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.rank, last.id) : null,
    };
  }
}
