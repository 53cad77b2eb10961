import { SearchQuery } from '@parley/contracts';
import { QueryRejected } from '@parley/jetstream';

export function encodeSearchCursor(rank: number, id: string): string {
  return Buffer.from(JSON.stringify([rank, id])).toString('base64url');
}

export function decodeSearchCursor(cursor: string): [number, string] {
  try {
    const [rank, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof rank === 'number' && Number.isFinite(rank) && typeof id === 'string' && id.length <= 64)
      return [rank, id];
  } catch {
    // fall through to the 400 below
  }
  throw new QueryRejected(400, 'Invalid cursor', 'The cursor was not issued by this search.');
}

export interface SearchStatement {
  sql: string;
  params: unknown[];
}

/**
 * The SQL of one search page: English stemming (`websearch_to_tsquery`, so quotes, `or` and
 * `-word` work) over the GIN-indexed `search` column, best rank first, keyset on (rank, id), one
 * row more than the page to tell whether there is another, and a snippet of the HTML-escaped body
 * with `<mark>` around hits. A customer's search is kept to their own conversations and never
 * reaches notes, whatever filters they add; agents may filter by customer and conversation.
 */
export function searchStatement(q: SearchQuery): SearchStatement {
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
    const [rank, id] = decodeSearchCursor(q.cursor);
    where.push(`(ts_rank_cd(m.search, query), m.id) < (${bind(rank)}::real, ${bind(id)})`);
  }
  const sql = `WITH hits AS (
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
         FROM hits ORDER BY rank DESC, id DESC`;
  return { sql, params };
}
