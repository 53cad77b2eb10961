/** Text that came from people (message bodies, names, subjects), made safe to put in HTML. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A body in HTML: escaped, its line breaks kept. */
function paragraph(text: string): string {
  return `<p style="white-space:pre-wrap;margin:0 0 16px">${escapeHtml(text)}</p>`;
}

function link(href: string, label: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;
}

function page(title: string, body: string, footer: string): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:sans-serif;line-height:1.4;max-width:600px">${body}` +
    `<hr><p style="color:#666;font-size:12px">${footer}</p></body></html>`
  );
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface ReplyNotificationView {
  siteName: string;
  subject: string;
  replies: Array<{ agentName: string; body: string }>;
  conversationUrl: string;
  unsubscribeUrl: string;
  /** The earlier notifications of the conversation exist: this one answers them. */
  followUp: boolean;
}

/** The agent's replies the customer has not read, with the way back to the conversation. */
export function replyNotification(view: ReplyNotificationView): RenderedEmail {
  const subject = `${view.followUp ? 'Re: ' : ''}${view.subject}`;
  const count = view.replies.length === 1 ? 'a reply' : `${view.replies.length} replies`;
  const intro = `You have ${count} from ${view.siteName} that you have not read yet.`;
  const text = [
    intro,
    '',
    ...view.replies.flatMap((r) => [`${r.agentName} wrote:`, r.body, '']),
    `Open the conversation: ${view.conversationUrl}`,
    'Or reply to this email to answer.',
    '',
    '--',
    `You get this email because you wrote to ${view.siteName}. Stop these emails: ${view.unsubscribeUrl}`,
    '',
  ].join('\n');
  const html = page(
    subject,
    `<p>${escapeHtml(intro)}</p>` +
      view.replies
        .map(
          (r) =>
            `<p style="margin:0 0 4px"><strong>${escapeHtml(r.agentName)}</strong> wrote:</p>${paragraph(r.body)}`,
        )
        .join('') +
      `<p>${link(view.conversationUrl, 'Open the conversation')}, or reply to this email to answer.</p>`,
    `You get this email because you wrote to ${escapeHtml(view.siteName)}. ${link(view.unsubscribeUrl, 'Stop these emails')}.`,
  );
  return { subject, text, html };
}

export interface RatingInvitationView {
  siteName: string;
  subject: string;
  agentName: string | null;
  /** The link of each score, 1 (bad) to 5 (great). */
  scoreUrls: string[];
  unsubscribeUrl: string;
}

const SCORE_LABELS = ['1 (bad)', '2', '3', '4', '5 (great)'];

/** Five links, one per score: each opens the rating form with that score chosen (nothing is rated by the GET). */
export function ratingInvitation(view: RatingInvitationView): RenderedEmail {
  const subject = `How did it go? ${view.subject}`;
  const who = view.agentName ? `${view.agentName} at ${view.siteName}` : view.siteName;
  const intro = `Your conversation with ${who} is resolved. How did it go?`;
  const text = [
    intro,
    '',
    ...view.scoreUrls.map((url, i) => `${SCORE_LABELS[i]}: ${url}`),
    '',
    '--',
    `Stop these emails: ${view.unsubscribeUrl}`,
    '',
  ].join('\n');
  const html = page(
    subject,
    `<p>${escapeHtml(intro)}</p><p>` +
      view.scoreUrls.map((url, i) => link(url, SCORE_LABELS[i])).join(' &nbsp; ') +
      '</p>',
    link(view.unsubscribeUrl, 'Stop these emails'),
  );
  return { subject, text, html };
}
