/**
 * A command published with this header names a core NATS subject: the consuming service tells it
 * once the command is applied (acked after its handler succeeded) or rejected for good
 * (dead-lettered as a `PermanentFailure` or undecodable). The gateway sets it only while a client
 * waits (`Prefer: wait`), so no command pays for it otherwise.
 */
export const APPLIED_NOTICE_HEADER = 'Parley-Applied-Notice';

/** What the consuming service says on a command's notice subject. */
export type AppliedNotice =
  | { outcome: 'applied' }
  | {
      outcome: 'rejected';
      /** The HTTP status a waiting client gets: e.g. 404 for a conversation that does not exist. */
      status: number;
      reason: string;
    };
