import { LinkSigner } from '@parley/secrets';

const PURPOSE = 'mail reply address';
/** 80 bits: what fits beside a UUID in an address's 64-character local part. */
const TAG_DIGITS = 20;
const LOCAL_PART = /^reply\+([A-Za-z0-9_-]{1,64})\.([0-9a-fA-F]+)$/;

/**
 * The address a conversation's notifications come from and its customer replies to:
 * `reply+<conversationId>.<tag>@<domain>`. The tag is an HMAC of the conversation id, so an address
 * nobody was sent cannot be made up, and an altered one is refused.
 */
export function replyAddress(signer: LinkSigner, conversationId: string, domain: string): string {
  return `reply+${conversationId}.${signer.tag(PURPOSE, conversationId, TAG_DIGITS)}@${domain}`;
}

export type ReplyAddressReading =
  | { ok: true; conversationId: string }
  | { ok: false; reason: 'not a reply address' | 'other domain' | 'forged or altered' };

/** Which conversation an address is the reply address of, if it is a genuine one of `domain`. */
export function readReplyAddress(signer: LinkSigner, address: string, domain: string): ReplyAddressReading {
  const at = address.lastIndexOf('@');
  if (at < 0) return { ok: false, reason: 'not a reply address' };
  if (address.slice(at + 1).toLowerCase() !== domain.toLowerCase())
    return { ok: false, reason: 'other domain' };
  const match = LOCAL_PART.exec(address.slice(0, at));
  if (!match) return { ok: false, reason: 'not a reply address' };
  const [, conversationId, tag] = match;
  if (tag.length !== TAG_DIGITS || !signer.verifyTag(PURPOSE, conversationId, tag)) {
    return { ok: false, reason: 'forged or altered' };
  }
  return { ok: true, conversationId };
}
