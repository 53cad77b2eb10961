import { SearchQuery } from '@parley/contracts';
import { QueryRejected } from '@parley/jetstream';
import { decodeSearchCursor, encodeSearchCursor, searchStatement } from './search-statement';

const agentQuery: SearchQuery = { principal: { id: 'a1', role: 'agent' }, q: 'refund', limit: 20 };

/** The WHERE conditions of the statement's hits, one a line. */
const conditions = (sql: string) => (/WHERE (.*)\n/.exec(sql)?.[1] ?? '').split(' AND ').map((c) => c.trim());

describe('searchStatement', () => {
  it('searches everything for an agent, fetching one hit more than the page', () => {
    const { sql, params } = searchStatement(agentQuery);
    expect(conditions(sql)).toEqual(['m.search @@ query']);
    expect(sql).toContain("websearch_to_tsquery('english', $1)");
    expect(sql).toContain('LIMIT $2');
    expect(params).toEqual(['refund', 21]);
  });

  it("keeps a customer to their own conversations' messages, never notes", () => {
    const { sql, params } = searchStatement({ ...agentQuery, principal: { id: 'cu1', role: 'customer' } });
    expect(conditions(sql)).toEqual(['m.search @@ query', 'm.customer_id = $2', "m.type = 'message'"]);
    expect(params).toEqual(['refund', 'cu1', 21]);
  });

  it("cannot be widened by a customer naming someone else's customer id", () => {
    const { sql, params } = searchStatement({
      ...agentQuery,
      principal: { id: 'cu1', role: 'customer' },
      customerId: 'cu2',
    });
    expect(conditions(sql)).toEqual([
      'm.search @@ query',
      'm.customer_id = $2',
      "m.type = 'message'",
      'm.customer_id = $3',
    ]);
    expect(params.slice(1, 3)).toEqual(['cu1', 'cu2']);
  });

  it("narrows an agent's search to a customer and a conversation", () => {
    const { sql, params } = searchStatement({ ...agentQuery, customerId: 'cu1', conversationId: 'c1' });
    expect(conditions(sql)).toEqual(['m.search @@ query', 'm.customer_id = $2', 'm.conversation_id = $3']);
    expect(params).toEqual(['refund', 'cu1', 'c1', 21]);
  });

  it('continues below the rank and id of the cursor', () => {
    const { sql, params } = searchStatement({ ...agentQuery, cursor: encodeSearchCursor(0.25, 'm7') });
    expect(conditions(sql)).toContain('(ts_rank_cd(m.search, query), m.id) < ($2::real, $3)');
    expect(params).toEqual(['refund', 0.25, 'm7', 21]);
  });

  it('never puts a search term into the SQL text', () => {
    const { sql } = searchStatement({ ...agentQuery, q: "x'); DROP TABLE history.messages; --" });
    expect(sql).not.toContain('DROP');
  });
});

describe('search cursor', () => {
  it('round-trips a rank and an id', () => {
    expect(decodeSearchCursor(encodeSearchCursor(0.5, 'm1'))).toEqual([0.5, 'm1']);
  });

  it.each([
    'not base64 json',
    Buffer.from('["0.5","m1"]').toString('base64url'),
    Buffer.from('[null,"m1"]').toString('base64url'),
    Buffer.from(`[0.5,"${'x'.repeat(65)}"]`).toString('base64url'),
  ])('rejects %p as a 400', (cursor) => {
    expect(() => decodeSearchCursor(cursor)).toThrow(QueryRejected);
    expect(() => searchStatement({ ...agentQuery, cursor })).toThrow(
      expect.objectContaining({ status: 400 }) as Error,
    );
  });
});
