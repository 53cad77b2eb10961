/** archiver 7 ships no types: the calls Parley makes to build a zip as a stream. */
declare module 'archiver' {
  import type { Readable, Transform } from 'node:stream';

  interface EntryData {
    /** The entry's path inside the archive. */
    name: string;
  }

  interface Archiver extends Transform {
    append(source: Readable | Buffer | string, data: EntryData): this;
    /** Ends the archive once every appended entry is written; the stream ends after it. */
    finalize(): Promise<void>;
    abort(): this;
  }

  function archiver(format: 'zip', options?: { zlib?: { level?: number } }): Archiver;
  export default archiver;
}
