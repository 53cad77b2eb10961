import { followInbox, InboxEvent, SseParser } from './inbox-stream';

const event = (n: number): InboxEvent => ({
  id: `message.created:m${n}`,
  cursor: `c${n}`,
  type: 'message.created',
  conversationId: 'conv-1',
  occurredAt: '2026-11-01T00:00:00.000Z',
  data: {
    messageId: `m${n}`,
    conversationId: 'conv-1',
    seq: n,
    authorId: 'agent-1',
    authorRole: 'agent',
    type: 'message',
    body: `message ${n}`,
    createdAt: '2026-11-01T00:00:00.000Z',
  },
});
const frame = (e: InboxEvent) => `id: ${e.cursor}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

describe('SseParser', () => {
  it('joins data lines, skips comments and survives chunks split anywhere, CRLF included', () => {
    const got: string[] = [];
    const parser = new SseParser((data) => got.push(data));
    const wire = 'retry: 2000\r\n\r\n: keep-alive\n\nid: 1\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: two\n\n';
    for (const ch of wire) parser.push(ch);
    expect(got).toEqual(['{"a":\n1}', 'two']);
    expect(parser.retryMs).toBe(2000);
  });
});

describe('followInbox', () => {
  /** A fake gateway: each call answers one stream of frames, then the connection drops. */
  function gateway(streams: string[][]) {
    const requests: Array<Record<string, string>> = [];
    const fakeFetch = async (_url: string | URL | Request, init?: RequestInit) => {
      requests.push({ ...(init?.headers as Record<string, string>) });
      const frames = streams.shift();
      if (!frames) return new Promise<Response>(() => undefined); // stays pending until closed
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const f of frames) controller.enqueue(new TextEncoder().encode(f));
          controller.close();
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    };
    return { requests, fetch: fakeFetch as typeof fetch };
  }

  it('resumes with Last-Event-ID after a drop and hands on a repeated event only once', async () => {
    const fake = gateway([
      [frame(event(1)), frame(event(2))],
      [frame(event(2)), frame(event(3))],
    ]);
    const seen: string[] = [];
    const stream = followInbox({
      baseUrl: 'http://gateway',
      token: 't',
      onEvent: (e) => seen.push(e.cursor),
      initialDelayMs: 1,
      fetch: fake.fetch,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    stream.close();
    expect(seen).toEqual(['c1', 'c2', 'c3']);
    expect(fake.requests[0]['last-event-id']).toBeUndefined();
    expect(fake.requests[1]['last-event-id']).toBe('c2');
    expect(fake.requests[0].authorization).toBe('Bearer t');
    expect(stream.cursor).toBe('c3');
  });

  it('hands typing signals to onTyping, apart from the events, keeping the cursor', async () => {
    const typing = { conversationId: 'cv', authorId: 'ag', authorRole: 'agent', at: '2026-12-07T12:00:00Z' };
    const fake = gateway([[frame(event(1)), `event: typing\ndata: ${JSON.stringify(typing)}\n\n`]]);
    const seen: string[] = [];
    const typed: unknown[] = [];
    const stream = followInbox({
      baseUrl: 'http://gateway',
      token: 't',
      onEvent: (e) => seen.push(e.cursor),
      onTyping: (t) => typed.push(t),
      initialDelayMs: 1_000,
      fetch: fake.fetch,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.close();
    expect(seen).toEqual(['c1']);
    expect(typed).toEqual([typing]);
    expect(stream.cursor).toBe('c1');
  });

  it('stops for good when the token is refused', async () => {
    const onUnauthorized = jest.fn();
    const states: string[] = [];
    followInbox({
      baseUrl: 'http://gateway',
      token: 'expired',
      onEvent: () => undefined,
      onUnauthorized,
      onState: (s) => states.push(s),
      fetch: (async () => new Response('', { status: 401 })) as typeof fetch,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(onUnauthorized).toHaveBeenCalledWith(401);
    expect(states).toEqual(['connecting', 'closed']);
  });
});
