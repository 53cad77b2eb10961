import { ATTACHMENT_TYPES, AttachmentType } from '@parley/contracts';

/** What `file-type` finds in a file's first bytes, if anything. */
export interface DetectedType {
  ext: string;
  mime: string;
}
export type DetectType = (head: Uint8Array) => Promise<DetectedType | undefined>;

/** How many leading bytes decide a type: `file-type` reads at most this many. */
export const SNIFF_BYTES = 4100;

/**
 * The attachment's type from its first bytes, never from its name or declared Content-Type:
 * `accepted` with the type, or `text` when no magic number matched (plain text, still to be checked
 * to its end by `PlainTextCheck`), or `refused` naming what was found.
 */
export type Verdict =
  | { verdict: 'accepted'; type: AttachmentType }
  | { verdict: 'text' }
  | { verdict: 'refused'; detected: string };

/**
 * Markup a browser would run script in: HTML and SVG have no magic number, so they would pass as
 * plain text. They are refused even though downloads are served as `text/plain` with `nosniff`.
 */
const MARKUP = /^(?:\uFEFF)?\s*<(?:!doctype\s+html|html|head|body|script|iframe|svg|\?xml)\b/i;
const EMBEDDED_MARKUP = /<(?:script|svg|iframe)\b/i;

export async function classify(head: Uint8Array, detect: DetectType): Promise<Verdict> {
  const found = await detect(head);
  if (found) {
    return (ATTACHMENT_TYPES as readonly string[]).includes(found.mime)
      ? { verdict: 'accepted', type: found.mime as AttachmentType }
      : { verdict: 'refused', detected: found.mime };
  }
  const text = Buffer.from(head).toString('utf8');
  if (MARKUP.test(text) || EMBEDDED_MARKUP.test(text))
    return { verdict: 'refused', detected: /<svg\b/i.test(text) ? 'image/svg+xml' : 'text/html' };
  return { verdict: 'text' };
}

/**
 * Checks bytes, chunk by chunk, as plain text: valid UTF-8 and no NUL (a binary format
 * `file-type` does not know has them). `fail` is the reason once a chunk broke a rule.
 */
export class PlainTextCheck {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  fail?: string;

  push(chunk: Uint8Array): void {
    if (this.fail) return;
    if (chunk.includes(0)) {
      this.fail = 'it contains NUL bytes, so it is not plain text';
      return;
    }
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.fail = 'it is not valid UTF-8 text';
    }
  }

  end(): void {
    if (this.fail) return;
    try {
      this.decoder.decode();
    } catch {
      this.fail = 'it is not valid UTF-8 text';
    }
  }
}

/** `file-type` (ESM only, which Node 20.19+ `require()`s from the compiled CommonJS). */
export const detectFileType: DetectType = async (head) => {
  const { fileTypeFromBuffer } = await import('file-type');
  return fileTypeFromBuffer(head);
};
