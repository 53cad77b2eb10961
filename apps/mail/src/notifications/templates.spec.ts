import { escapeHtml, ratingInvitation, replyNotification } from './templates';

describe('email templates', () => {
  const replies = [
    { agentName: 'Ann <admin>', body: '<script>alert(1)</script> & "more"' },
    { agentName: 'Ann <admin>', body: 'line one\nline two' },
  ];

  it('escapes everything people wrote in the HTML, and keeps it as written in the text', () => {
    const email = replyNotification({
      siteName: 'Shop & Co',
      subject: 'Order <1234>',
      replies,
      conversationUrl: 'https://shop.example/help?c=1&x="2"',
      unsubscribeUrl: 'https://parley.example/v1/mail/unsubscribe?token=t',
      followUp: false,
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;');
    expect(email.html).toContain('<strong>Ann &lt;admin&gt;</strong>');
    expect(email.html).toContain('href="https://shop.example/help?c=1&amp;x=&quot;2&quot;"');
    expect(email.text).toContain('Ann <admin> wrote:\n<script>alert(1)</script> & "more"');
    expect(email.text).toContain('You have 2 replies from Shop & Co');
    expect(email.subject).toBe('Order <1234>');
  });

  it('answers the earlier notification in its subject', () => {
    const email = replyNotification({
      siteName: 'Shop',
      subject: 'Order',
      replies: replies.slice(0, 1),
      conversationUrl: 'u',
      unsubscribeUrl: 'v',
      followUp: true,
    });
    expect(email.subject).toBe('Re: Order');
    expect(email.text).toContain('You have a reply from Shop');
  });

  it('offers five score links in a rating invitation', () => {
    const urls = [1, 2, 3, 4, 5].map((s) => `https://p.example/widget/?rate=t&score=${s}`);
    const email = ratingInvitation({
      siteName: 'Shop',
      subject: 'Order',
      agentName: 'Ann',
      scoreUrls: urls,
      unsubscribeUrl: 'v',
    });
    for (const url of urls) expect(email.text).toContain(url);
    expect(email.html.match(/<a href="https:\/\/p\.example\/widget\/\?rate=t&amp;score=\d"/g)).toHaveLength(
      5,
    );
  });

  it('escapes the five characters HTML gives meaning to', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
