import { IsOptional, Matches, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { Command, ID_PATTERN, IsTimeZone } from './commands';
import { Content } from './content';
import { Role } from './principal';
import { CommandSubjects, TYPING_SUBJECT_PREFIX } from './subjects';

/** At most this many custom attributes per customer, after merging. */
export const CUSTOMER_ATTRIBUTES_MAX = 50;
/** The longest string value an attribute holds (Intercom's limit). */
export const ATTRIBUTE_VALUE_MAX = 255;
/** An attribute's name: a letter first, then letters, digits and `_`, up to 64 characters. */
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export type AttributeValue = string | number | boolean;
/** What the business knows about a customer, flat: `{plan: "pro", orders: 12, vip: true}`. */
export type CustomerAttributes = Record<string, AttributeValue>;

/**
 * Why `value` is not a usable change of custom attributes, or undefined: the one place their rules
 * are written. `null` removes an attribute.
 */
export function attributesProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'attributes must be an object of names to strings, numbers or booleans';
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > CUSTOMER_ATTRIBUTES_MAX)
    return `attributes may have at most ${CUSTOMER_ATTRIBUTES_MAX} names`;
  for (const [key, v] of entries) {
    if (!ATTRIBUTE_KEY_PATTERN.test(key))
      return `attributes.${key.slice(0, 64)}: a name is a letter, then letters, digits or _, up to 64 characters`;
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `attributes.${key} must be a finite number`;
      continue;
    }
    if (typeof v !== 'string') return `attributes.${key} must be a string, a number, a boolean or null`;
    if (v.length > ATTRIBUTE_VALUE_MAX)
      return `attributes.${key} must be at most ${ATTRIBUTE_VALUE_MAX} characters`;
  }
  return undefined;
}

function IsAttributeChanges(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAttributeChanges',
      validator: {
        validate: (value) => attributesProblem(value) === undefined,
        defaultMessage: (args) => attributesProblem(args?.value) ?? 'attributes are invalid',
      },
    },
    options,
  );
}

/**
 * Changes what the business knows about a customer. Attributes are merged as Intercom merges
 * `custom_attributes`: the names given are set, `null` removes one, the others stay. `timeZone`
 * replaces the customer's zone; `null` forgets it; absent leaves it.
 */
export class UpdateCustomer extends Command {
  static readonly subject = CommandSubjects.updateCustomer;
  @Matches(ID_PATTERN) customerId: string;
  @Content('customer') @IsOptional() @IsAttributeChanges() attributes?: Record<string, AttributeValue | null>;
  @Content('customer')
  @ValidateIf((o: UpdateCustomer) => o.timeZone !== undefined && o.timeZone !== null)
  @IsTimeZone()
  timeZone?: string | null;
}

/** `customer.updated`: the whole of a customer's attributes and zone after the change. */
export interface CustomerUpdatedData {
  customerId: string;
  attributes: CustomerAttributes;
  timeZone: string | null;
}

/** `customer`: one customer's card, for agents; 404 when there is none. */
export interface CustomerQuery {
  customerId: string;
}

/** A conversation of the customer as the card lists it. */
export interface CustomerConversationSummary {
  id: string;
  subject: string | null;
  status: string;
  lastMessageAt: string;
  createdAt: string;
}

/** Earlier conversations the card lists, newest first; the full list is paged elsewhere. */
export const CARD_CONVERSATIONS_MAX = 20;

export interface CustomerCard {
  id: string;
  /** null once the customer is erased. */
  externalId: string | null;
  name: string | null;
  email: string | null;
  attributes: CustomerAttributes;
  /** IANA time zone; null when nobody told us. */
  timeZone: string | null;
  createdAt: string;
  /** The customer's conversations, newest first, at most `CARD_CONVERSATIONS_MAX`. */
  conversations: CustomerConversationSummary[];
  /** When the customer was erased: a tombstone without name, email or attributes; null otherwise. */
  erasedAt?: string | null;
}

/** Core NATS only: a participant is typing in a conversation. Never stored. */
export function typingSubject(conversationId: string): string {
  return `${TYPING_SUBJECT_PREFIX}.${conversationId}`;
}

/**
 * What a gateway publishes when someone types, carrying who should see it: the conversation's
 * customer and assignee but the typist, so that every gateway can hand it to the streams it holds.
 */
export interface TypingSignal {
  conversationId: string;
  authorId: string;
  authorRole: Role;
  recipients: string[];
  at: string;
}
