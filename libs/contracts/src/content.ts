import { createHash } from 'node:crypto';
import { EventTypes, EventType } from './events';
import { NAMESPACE } from './namespace';
import { unpartitionedSubject } from './partitions';
import { EVENT_SUBJECT_PREFIX } from './subjects';

/**
 * The key-value bucket (stream `KV_<bucket>`) holding each customer's and each conversation's
 * content data key, sealed under `PARLEY_CONTENT_KEY`; destroying one makes every stream copy of
 * what was sealed under it unreadable (libs/jetstream `ContentKeys`, ADR 13).
 */
export const CONTENT_KEYS_BUCKET = `${NAMESPACE}-content-keys`;

/**
 * Whose key seals a piece of content: a customer's (their profile: name, email, external id,
 * attributes, time zone, and the emails they send) or a conversation's (everything said in it).
 */
export type ContentScopeKind = 'customer' | 'conversation';

/** Where a payload keeps content: the fields, and the scope whose key seals them. */
export interface ContentDeclaration {
  kind: ContentScopeKind;
  /** The scope's id in the payload; a payload without one carries no content of that scope. */
  scopeIdOf: (payload: Record<string, unknown>) => unknown;
  /** Dotted paths of the content fields; `*` stands for every element of an array. */
  paths: string[];
}

type IdOf = (payload: Record<string, unknown>) => unknown;

const byKind: Record<ContentScopeKind, IdOf> = {
  conversation: (payload) => payload.conversationId,
  customer: (payload) => payload.customerId,
};

/** Content fields of each command class, as `@Content` declares them. */
const declared = new Map<object, ContentDeclaration[]>();
let bySubject: Map<string, ContentDeclaration[]> | undefined;

/**
 * Marks a command's field as content written by or about a customer: in every stream copy it is
 * sealed under its scope's key (the conversation's, by `conversationId`; the customer's, by
 * `customerId`; or the id `scopeIdOf` reads), so destroying that key erases every copy. The
 * transport seals and opens it; handlers see the plain value.
 */
export function Content(kind: ContentScopeKind, scopeIdOf: IdOf = byKind[kind]): PropertyDecorator {
  return (target, property) => {
    const declarations = declared.get(target.constructor) ?? [];
    const same = declarations.find((d) => d.kind === kind && d.scopeIdOf === scopeIdOf);
    if (same) same.paths.push(String(property));
    else declarations.push({ kind, scopeIdOf, paths: [String(property)] });
    declared.set(target.constructor, declarations);
    bySubject = undefined;
  };
}

/** Content in each event's `data`, under the scope the envelope names. */
const EVENT_CONTENT: Partial<Record<EventType, { kind: ContentScopeKind; paths: string[] }>> = {
  [EventTypes.conversationCreated]: { kind: 'conversation', paths: ['subject'] },
  [EventTypes.messageCreated]: { kind: 'conversation', paths: ['body', 'attachments.*.name'] },
  [EventTypes.noteCreated]: { kind: 'conversation', paths: ['body', 'attachments.*.name'] },
  [EventTypes.conversationTransferred]: { kind: 'conversation', paths: ['reason', 'note'] },
  [EventTypes.conversationRated]: { kind: 'conversation', paths: ['comment'] },
  [EventTypes.customerRegistered]: { kind: 'customer', paths: ['externalId', 'name', 'email', 'timeZone'] },
  [EventTypes.customerUpdated]: { kind: 'customer', paths: ['attributes', 'timeZone'] },
};

const eventDeclarations = new Map<string, ContentDeclaration[]>(
  Object.entries(EVENT_CONTENT).map(([type, { kind, paths }]) => [
    type,
    [
      {
        kind,
        scopeIdOf: (event) =>
          byKind[kind](event) ?? byKind[kind]((event.data ?? {}) as Record<string, unknown>),
        paths: paths.map((path) => `data.${path}`),
      },
    ],
  ]),
);

/**
 * Where the payload of a message on `subject` keeps content: an event's by its type, a command's
 * by its class's `@Content` fields. Empty for everything else.
 */
export function contentDeclarationsOf(subject: string, payload: unknown): ContentDeclaration[] {
  const bare = unpartitionedSubject(subject);
  if (bare.startsWith(`${EVENT_SUBJECT_PREFIX}.`)) {
    const type = (payload as { type?: unknown } | null)?.type;
    return (typeof type === 'string' && eventDeclarations.get(type)) || [];
  }
  bySubject ??= new Map(
    [...declared].flatMap(([command, declarations]) => {
      const commandSubject = (command as { subject?: unknown }).subject;
      return typeof commandSubject === 'string' ? [[commandSubject, declarations] as const] : [];
    }),
  );
  return bySubject.get(bare) ?? [];
}

/**
 * The customer scope of the emails sent from an address to no conversation's reply address
 * (`receivedMailConversation`): erasing a customer destroys it with the customer's own key
 * (`[{kind: 'customer', id: customerId}, {kind: 'customer', id: mailSenderScopeId(email)}]`).
 */
const REPLY_ADDRESS = /^reply\+([A-Za-z0-9_-]{1,64})\.[0-9a-fA-F]+@/;

/**
 * The conversation whose reply address (`reply+<conversationId>.<tag>@…`, apps/mail) a received
 * email was sent to, as the address reads, tag unchecked: its content is sealed under that
 * conversation's key, and erased with the conversation.
 */
export function receivedMailConversation(mail: Record<string, unknown>): string | undefined {
  const to = Array.isArray(mail.to) ? mail.to : [];
  for (const address of to) {
    const match = typeof address === 'string' ? REPLY_ADDRESS.exec(address.trim()) : null;
    if (match) return match[1];
  }
  return undefined;
}

/** The sender's scope of a received email that names no conversation (`mailSenderScopeId`). */
export function unrepliedMailSender(mail: Record<string, unknown>): string | undefined {
  return receivedMailConversation(mail) === undefined ? mailSenderScopeId(mail.from) : undefined;
}

export function mailSenderScopeId(address: unknown): string | undefined {
  if (typeof address !== 'string') return undefined;
  const normalized = address.trim().toLowerCase();
  return `mail-from-${createHash('sha256').update(normalized).digest('hex').slice(0, 40)}`;
}
