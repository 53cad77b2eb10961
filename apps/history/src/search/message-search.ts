import { Injectable } from '@nestjs/common';
import { Page, SearchHit, SearchQuery } from '@parley/contracts';
import { DataSource } from 'typeorm';
import { encodeSearchCursor, searchStatement } from './search-statement';

export interface HitRow {
  id: string;
  conversation_id: string;
  customer_id: string;
  seq: number;
  author_id: string;
  type: SearchHit['type'];
  created_at: Date;
  rank: number;
  snippet: string;
}

export function toSearchHit(row: HitRow): SearchHit {
  return {
    messageId: row.id,
    conversationId: row.conversation_id,
    customerId: row.customer_id,
    seq: row.seq,
    authorId: row.author_id,
    type: row.type,
    createdAt: row.created_at.toISOString(),
    rank: row.rank,
    snippet: row.snippet,
  };
}

/** PostgreSQL full-text search over message bodies, ranked by `ts_rank_cd`, a page at a time. */
@Injectable()
export class MessageSearch {
  constructor(private readonly db: DataSource) {}

  async search(q: SearchQuery): Promise<Page<SearchHit>> {
    const { sql, params } = searchStatement(q);
    const rows: HitRow[] = await this.db.query(sql, params);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toSearchHit),
      nextCursor: rows.length > q.limit && last ? encodeSearchCursor(last.rank, last.id) : null,
    };
  }
}
