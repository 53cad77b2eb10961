/** What a saved reply's placeholders stand for in this conversation. */
export interface ReplyContext {
  customerName: string | null;
  customerEmail: string | null;
  agentName: string | null;
  conversationId: string;
}

/** The body with its placeholders filled in; one without a value is left empty rather than shown raw. */
export function fillPlaceholders(body: string, context: ReplyContext): string {
  const values: Record<string, string | null> = {
    'customer.name': context.customerName,
    'customer.email': context.customerEmail,
    'agent.name': context.agentName,
    'conversation.id': context.conversationId,
  };
  return body.replace(/\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/g, (whole, key: string) =>
    key in values ? (values[key] ?? '') : whole,
  );
}

/** `/ref` at the start of the draft: the shortcut typed so far, or null when the draft is no command. */
export function shortcutTyped(draft: string): string | null {
  const match = /^\/([A-Za-z0-9_-]*)$/.exec(draft);
  return match ? match[1] : null;
}
