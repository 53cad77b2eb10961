/** email-reply-parser 1.9 ships no types: the one call Parley makes. */
declare module 'email-reply-parser' {
  export default class EmailReplyParser {
    /** The text above the quoted history and the signature. */
    parseReply(text: string): string;
  }
}
