import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  /** The envelope's recipients. */
  to: string[];
  mail: ParsedMail;
}

/**
 * A real SMTP server (the smtp-server library) a test runs as `PARLEY_SMTP_URL`: it keeps every
 * email it takes, parsed; `onAccepted` runs the instant it has said 250.
 */
export class MailCatcher {
  readonly received: CaughtMail[] = [];
  onAccepted?: (mail: ParsedMail) => void;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
          const accepted = this.onAccepted;
          this.onAccepted = undefined;
          accepted?.(mail);
        });
      });
    },
  });

  /** Listens on a free loopback port, and says which. */
  async listen(): Promise<number> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return (this.server.server.address() as AddressInfo).port;
  }

  to(address: string): ParsedMail[] {
    return this.received.filter((r) => r.to.includes(address)).map((r) => r.mail);
  }

  close(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}
